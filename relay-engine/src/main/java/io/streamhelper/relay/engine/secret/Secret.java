package io.streamhelper.relay.engine.secret;

import io.streamhelper.relay.logging.KnownSecrets;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A stream key (ingest or destination) held in memory. Its {@code toString()} never shows the
 * value, so a key that slips into a log line, an exception or a JSON body by accident prints as
 * {@code ***}. Only {@link #reveal()} gives the value, at the moment a connection needs it.
 *
 * <p>Every value is also registered with the log redactor as it enters memory, so a key printed
 * through another path (a URL, a library's exception message) still never reaches a log line. The
 * registration lives as long as this object. A key read from the database may stay sealed until
 * it is used ({@link #sealed}).
 */
public final class Secret {
    private volatile String value;
    private Supplier<String> opener; // guarded by this; null once opened

    private Secret(String value, Supplier<String> opener) {
        this.value = value;
        this.opener = opener;
    }

    public static Secret of(String value) {
        Secret secret = new Secret(Objects.requireNonNull(value, "value"), null);
        KnownSecrets.register(secret, value);
        return secret;
    }

    /**
     * A key still sealed (a ciphertext read from the database): {@code opener} decrypts it the
     * first time the value is needed ({@link #reveal}, {@link #matches}, equality),
     * and only then is it registered with the log redactor. Listing destinations builds these and
     * never opens them; the relay dialling a destination does. An opener that fails (a key that
     * does not decrypt) fails that use, and is tried again at the next.
     */
    public static Secret sealed(Supplier<String> opener) {
        return new Secret(null, Objects.requireNonNull(opener, "opener"));
    }

    public String reveal() {
        return value();
    }

    public boolean isEmpty() {
        return value().isEmpty();
    }

    private String value() {
        String v = value;
        if (v != null) {
            return v;
        }
        synchronized (this) {
            if (value == null) {
                String opened = Objects.requireNonNull(opener.get(), "opened value");
                KnownSecrets.register(this, opened);
                value = opened;
                opener = null;
            }
            return value;
        }
    }

    /** Constant-time comparison, so key checks do not leak the key through timing. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(
                value().getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Replaces every occurrence of this secret in a text meant for people (errors, logs). Never
     * opens a sealed key and never throws: a key not yet opened (or that does not open) is in no
     * text this process made, so there is nothing to replace. It is called on the error paths,
     * the failure to open a key included, which must go on to report that failure.
     */
    public String redact(String text) {
        String v = value;
        return text == null || v == null || v.isEmpty() ? text : text.replace(v, "***");
    }

    /**
     * Same value. A key that does not open equals only itself: comparing two destination lists
     * (the registry's reconcile) must not fail on a row whose key is broken; the relay reports
     * that key when it dials.
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Secret other)) {
            return false;
        }
        String mine = openedOrNull();
        String theirs = other.openedOrNull();
        return mine != null && theirs != null && MessageDigest.isEqual(
                mine.getBytes(StandardCharsets.UTF_8), theirs.getBytes(StandardCharsets.UTF_8));
    }

    /** Consistent with equals: a key that does not open hashes like any other such key. */
    @Override
    public int hashCode() {
        String v = openedOrNull();
        return v == null ? 0 : v.hashCode();
    }

    private String openedOrNull() {
        try {
            return value();
        } catch (RuntimeException doesNotOpen) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "***";
    }
}
