package io.streamhelper.relay.engine.destination;

import io.streamhelper.relay.engine.stream.TransitionTable;

/**
 * Which {@link DestinationState} may follow which. {@link DestinationRelay} changes state only
 * through this table: a change it does not list is a bug in the supervisor, and throws.
 */
final class DestinationTransitions {
    private static final TransitionTable<DestinationState> TABLE = TransitionTable.of(DestinationState.class, "destination")
            // Started; the stream's codec is one it does not take; or stopped before it ever
            // connected (removed, or the stream ended first).
            .allow(DestinationState.IDLE, DestinationState.CONNECTING, DestinationState.INCOMPATIBLE, DestinationState.STOPPED)
            // Accepted; lost (network, first hang-up); refused; the publisher changed codec; or stopped meanwhile.
            .allow(DestinationState.CONNECTING, DestinationState.LIVE, DestinationState.RETRYING, DestinationState.REJECTED,
                    DestinationState.INCOMPATIBLE, DestinationState.STOPPED)
            // Lost or stalled; refused while live (an error status); the publisher changed codec;
            // stopped by the user or the publisher.
            .allow(DestinationState.LIVE, DestinationState.RETRYING, DestinationState.REJECTED, DestinationState.INCOMPATIBLE,
                    DestinationState.STOPPED)
            // The backoff ran out; the publisher changed codec; or stopped while waiting.
            .allow(DestinationState.RETRYING, DestinationState.CONNECTING, DestinationState.INCOMPATIBLE, DestinationState.STOPPED)
            // The refusal retry ran out; the publisher changed codec; or stopped while waiting.
            .allow(DestinationState.REJECTED, DestinationState.CONNECTING, DestinationState.INCOMPATIBLE, DestinationState.STOPPED)
            // The publisher changed to a codec it takes; or stopped (the stream ended, the user removed it).
            .allow(DestinationState.INCOMPATIBLE, DestinationState.CONNECTING, DestinationState.STOPPED)
            // Final: a stopped destination never comes back (a new one is made instead).
            .allow(DestinationState.STOPPED)
            .build();

    private DestinationTransitions() {
    }

    /** Throws when the table does not list the change. */
    static void check(DestinationState from, DestinationState to) {
        TABLE.check(from, to);
    }
}
