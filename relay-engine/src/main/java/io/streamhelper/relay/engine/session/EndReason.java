package io.streamhelper.relay.engine.session;

/**
 * How a stream session ended: what a streamer reads after the show to tell "I stopped" from "my
 * encoder dropped" from "the server went down". Decided by the registry's end path that ended it
 * (the first one wins: the others find the stream ended already).
 */
public enum EndReason {
    /** The encoder stopped cleanly (FCUnpublish, deleteStream, closeStream). */
    STOPPED,
    /** The publisher's connection was lost and there was no grace to wait in. */
    LOST,
    /** The publisher's connection was lost and nobody came back within the grace. */
    GRACE_EXPIRED,
    /** The stream was deleted while live. */
    DELETED,
    /** The ingest key was rotated while the stream waited for its publisher to come back. */
    KEY_ROTATED,
    /** The last destination was removed while the stream waited for its publisher to come back. */
    NO_DESTINATIONS,
    /** The server shut down. */
    SHUTDOWN,
    /** Another node took the stream over (its encoder came back there): this node let it go. */
    MOVED,
    /** This node lost the shared database long enough that its leases may be taken: it stopped relaying. */
    FENCED,
    /** Never handed over by the engine: a session still open when the server restarts (it crashed). */
    INTERRUPTED;

    /** The name the API and the database use: {@code stopped}, {@code grace_expired}, ... */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
