package io.streamhelper.relay.logging;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every key value this process holds, so that a log line can be cleaned of it whoever printed it.
 *
 * <p>Log lines are checked often and keys registered in bursts (a listing, a stream going live
 * with many destinations), so both sides are cheap: a log line reads the {@link KnownValueMatcher}
 * without locks, and registering a key files its spellings in that matcher one slot at a time,
 * with constant work however many keys are known (no rebuild of the whole set). The lock only
 * orders writers, and is held for that constant work.
 *
 * <p>Memory: each value is kept only while an owner (a {@code Secret} holding it) is alive. Owners
 * are weakly referenced; when the last owner of a value is collected its reference is queued and
 * the value is forgotten at the next registration, so a server that adds and removes destinations
 * for months does not accumulate their keys.
 */
public final class KnownSecrets {
    /** Shorter values are not registered: replacing every "abc" in every line would wreck the logs. */
    public static final int MIN_LENGTH = KnownValueMatcher.GRAM;

    private static final Object LOCK = new Object();
    private static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();
    private static final Set<Owner> OWNERS = new HashSet<>(); // guarded by LOCK; keeps the references reachable
    private static final Map<String, Integer> OWNERS_PER_SPELLING = new HashMap<>(); // guarded by LOCK
    private static final KnownValueMatcher MATCHER = new KnownValueMatcher(); // written under LOCK

    /** An owner's registration of one value; identity-compared, as a WeakReference is. */
    private static final class Owner extends WeakReference<Object> {
        private final Set<String> spellings;

        Owner(Object owner, Set<String> spellings) {
            super(owner, COLLECTED);
            this.spellings = spellings;
        }
    }

    private KnownSecrets() {
    }

    /** Remembers a key value for as long as {@code owner} is reachable. */
    public static void register(Object owner, String value) {
        if (owner == null || value == null || value.length() < MIN_LENGTH) {
            return;
        }
        Set<String> spellings = spellings(value);
        synchronized (LOCK) {
            forgetCollected();
            OWNERS.add(new Owner(owner, spellings));
            for (String s : spellings) {
                if (OWNERS_PER_SPELLING.merge(s, 1, Integer::sum) == 1) {
                    MATCHER.add(s);
                }
            }
        }
    }

    /** Replaces every registered value in the text with {@code ***}. */
    public static String redact(String text) {
        return MATCHER.redact(text);
    }

    /** How many registrations are held now; owners collected since are dropped first. */
    public static int size() {
        synchronized (LOCK) {
            forgetCollected();
            for (Owner o : OWNERS.toArray(new Owner[0])) {
                if (o.get() == null) { // collected, not yet queued by the reference handler
                    o.enqueue();
                }
            }
            forgetCollected();
            return OWNERS.size();
        }
    }

    /** Values copied in the matcher by every registration so far: constant per key, for tests. */
    static long matcherWork() {
        return MATCHER.valuesCopied();
    }

    /** Drops the registrations whose owner was collected; the lock is held. */
    private static void forgetCollected() {
        for (Reference<?> r; (r = COLLECTED.poll()) != null; ) {
            Owner gone = (Owner) r;
            if (!OWNERS.remove(gone)) {
                continue;
            }
            for (String s : gone.spellings) {
                if (OWNERS_PER_SPELLING.merge(s, -1, Integer::sum) == 0) {
                    OWNERS_PER_SPELLING.remove(s);
                    MATCHER.remove(s);
                }
            }
        }
    }

    /** The value as written raw and, when it differs, as it appears inside a URL query or path. */
    private static Set<String> spellings(String value) {
        Set<String> all = new LinkedHashSet<>();
        all.add(value);
        all.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
        return all;
    }
}
