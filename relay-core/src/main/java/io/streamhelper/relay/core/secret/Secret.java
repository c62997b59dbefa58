package io.streamhelper.relay.core.secret;

import io.streamhelper.relay.logging.KnownSecrets;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A stream key (ingest or destination) held in memory. Its {@code toString()} never shows the
 * value, so a key that slips into a log line, an exception or a JSON body by accident prints as
 * {@code ***}. Only {@link #reveal()} gives the value, at the moment a connection needs it.
 *
 * <p>Every value is also registered with the log redactor as it enters memory, so a key printed
 * through another path (a URL, a library's exception message) still never reaches a log line. The
 * registration lives as long as this object.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        Secret secret = new Secret(value);
        KnownSecrets.register(secret, value);
        return secret;
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    /** Constant-time comparison, so key checks do not leak the key through timing. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces every occurrence of this secret in a text meant for people (errors, logs). */
    public String redact(String text) {
        if (text == null || value.isEmpty()) {
            return text;
        }
        return text.replace(value, "***");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "***";
    }
}
