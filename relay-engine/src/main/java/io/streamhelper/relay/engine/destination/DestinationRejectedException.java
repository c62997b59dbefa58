package io.streamhelper.relay.engine.destination;

/**
 * The destination refused to let us publish (bad key, NetStream.Publish.BadName, an {@code _error}
 * to connect). Retrying at once would only hammer it. The message must never contain a key.
 *
 * <p>Some refusals are only inferred: nginx-rtmp's on_publish and several platforms answer a bad
 * key by hanging up, and a server that crashes or restarts just then looks the same. Those are
 * {@link #isInferred() inferred} and confirmed by one more attempt before the destination counts
 * as rejected.
 */
public final class DestinationRejectedException extends Exception {
    private final boolean inferred;

    public DestinationRejectedException(String message) {
        this(message, false);
    }

    private DestinationRejectedException(String message, boolean inferred) {
        super(message, null, false, false);
        this.inferred = inferred;
    }

    /** The destination hung up in answer to publish, without saying why. */
    public static DestinationRejectedException hungUp(String message) {
        return new DestinationRejectedException(message, true);
    }

    /** Whether the refusal was inferred from a hang-up rather than said. */
    public boolean isInferred() {
        return inferred;
    }
}
