package io.streamhelper.relay.engine.publish;

/** A publish request the relay refuses; the message is safe to send to the publisher and to log. */
public final class PublishRejectedException extends Exception {
    public enum Reason {
        /** No stream has this key (maps to NetStream.Publish.BadName). */
        UNKNOWN_KEY,
        /** Someone is already publishing on this key; the first publisher keeps streaming. */
        ALREADY_LIVE,
        /** The server is shutting down or otherwise not taking publishers. */
        UNAVAILABLE,
        /** As many streams are live as the server allows (RELAY_MAX_PUBLISHERS). */
        TOO_MANY_PUBLISHERS
    }

    private final Reason reason;

    public PublishRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
