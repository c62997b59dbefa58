package io.streamhelper.relay.catalog.error;

import java.time.Duration;

/**
 * What a service refuses, in words safe to show the caller: never a key, a password or another
 * user's data. The HTTP layer maps each kind to one status code, in one place.
 */
public abstract sealed class ServiceException extends RuntimeException {
    private ServiceException(String message) {
        super(message, null, false, false);
    }

    /** Nothing with this id exists (or it was deleted). */
    public static final class NotFound extends ServiceException {
        public NotFound(String what) {
            super(what + " not found");
        }
    }

    /** It exists but belongs to someone else; the message says no more than that. */
    public static final class Forbidden extends ServiceException {
        public Forbidden() {
            super("you do not have access to this resource");
        }

        public Forbidden(String message) {
            super(message);
        }
    }

    /** A field of the request is missing, malformed or not allowed. */
    public static final class InvalidField extends ServiceException {
        private final String field;

        public InvalidField(String field, String problem) {
            super(problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The request clashes with what exists (an e-mail already registered). */
    public static final class Conflict extends ServiceException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** No valid credentials or token. */
    public static final class Unauthenticated extends ServiceException {
        public Unauthenticated(String message) {
            super(message);
        }
    }

    /**
     * Too many attempts; the caller may try again after {@link #retryAfter()}. The message says
     * what was too many; the HTTP layer adds how long to wait.
     */
    public static final class Throttled extends ServiceException {
        private final Duration retryAfter;

        public Throttled(Duration retryAfter) {
            this("too many attempts", retryAfter);
        }

        public Throttled(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
