package io.streamhelper.relay.core.destination;

/**
 * The destination refused to let us publish (bad key, NetStream.Publish.BadName, an {@code _error}
 * to connect). Retrying at once would only hammer it. The message must never contain a key.
 */
public final class DestinationRejectedException extends Exception {
    public DestinationRejectedException(String message) {
        super(message, null, false, false);
    }
}
