package io.streamhelper.relay.logging;

import java.lang.ref.WeakReference;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every key value this process holds, so that a log line can be cleaned of it whoever printed it.
 *
 * <p>Keys are registered rarely (read from the streams file, the API or the database) and log lines
 * are checked often, so the two sides are built differently: registering takes a lock and builds a
 * new immutable {@link KnownValueMatcher}; a log line reads the current matcher from one volatile
 * field, without locks, and costs almost nothing while no key is registered.
 *
 * <p>Memory: each value is kept only while its owner (the {@code Secret} that holds it) is alive.
 * Owners are weakly referenced and dead ones are dropped at the next registration, so a server
 * that adds and removes destinations for months does not accumulate their keys.
 */
public final class KnownSecrets {
    /** Shorter values are not registered: replacing every "abc" in every line would wreck the logs. */
    public static final int MIN_LENGTH = KnownValueMatcher.GRAM;

    private static final Object LOCK = new Object();
    private static final List<Entry> ENTRIES = new ArrayList<>(); // guarded by LOCK
    private static volatile KnownValueMatcher matcher = KnownValueMatcher.EMPTY;

    private record Entry(WeakReference<Object> owner, String value) {
    }

    private KnownSecrets() {
    }

    /** Remembers a key value for as long as {@code owner} is reachable. */
    public static void register(Object owner, String value) {
        if (owner == null || value == null || value.length() < MIN_LENGTH) {
            return;
        }
        synchronized (LOCK) {
            ENTRIES.removeIf(e -> e.owner().get() == null);
            ENTRIES.add(new Entry(new WeakReference<>(owner), value));
            matcher = new KnownValueMatcher(spellings());
        }
    }

    /** Replaces every registered value in the text with {@code ***}. */
    public static String redact(String text) {
        return matcher.redact(text);
    }

    /** How many values are registered now (owners already collected but not yet pruned count too). */
    public static int size() {
        synchronized (LOCK) {
            return ENTRIES.size();
        }
    }

    /** Each value as written raw and, when it differs, as it appears inside a URL query or path. */
    private static Set<String> spellings() {
        Set<String> all = new LinkedHashSet<>();
        for (Entry e : ENTRIES) {
            all.add(e.value());
            all.add(URLEncoder.encode(e.value(), StandardCharsets.UTF_8));
        }
        return all;
    }
}
