package io.streamhelper.relay.engine.registry;

import io.streamhelper.relay.engine.stream.StreamState;

/**
 * Whether this node may relay a stream, when several nodes share one database (relay-cluster's
 * lease). The registry asks before a stream opens here and tells it when the stream's state
 * changes and when it ends. {@link #LOCAL}, a single node, owns everything.
 */
public interface StreamOwnership {
    enum Claim {
        /** This node holds the stream now: it opens here. */
        OWNED,
        /** Live on another node with its publisher feeding it: refused like a duplicate publish. */
        LIVE_ELSEWHERE,
        /** Could not be decided (database unreachable, the owner did not let go in time): refused, try again. */
        UNAVAILABLE
    }

    /**
     * Called on a catalog-read thread, never on an event loop, before the stream opens here. May
     * block, bounded (a few seconds: asking a live owner in its reconnect grace to let go).
     */
    Claim claim(String streamId);

    /** The stream held here changed state (LIVE or RECONNECTING). From any thread; must not block. */
    void stateChanged(String streamId, StreamState state);

    /** The stream held here ended: its lease is given up. From any thread; must not block. */
    void released(String streamId);

    StreamOwnership LOCAL = new StreamOwnership() {
        @Override
        public Claim claim(String streamId) {
            return Claim.OWNED;
        }

        @Override
        public void stateChanged(String streamId, StreamState state) {
        }

        @Override
        public void released(String streamId) {
        }
    };
}
