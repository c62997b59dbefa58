package io.streamhelper.relay.engine.destination;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which {@link DestinationState} may follow which. {@link DestinationRelay} changes state only
 * through this table: a change it does not list is a bug in the supervisor, not a situation to
 * cope with, and throws.
 */
final class DestinationTransitions {
    private static final Map<DestinationState, Set<DestinationState>> LEGAL = new EnumMap<>(DestinationState.class);

    static {
        // Started, or stopped before it ever connected (removed, or the stream ended first).
        allow(DestinationState.IDLE, DestinationState.CONNECTING, DestinationState.STOPPED);
        // Accepted; lost (network, first hang-up); refused; or stopped meanwhile.
        allow(DestinationState.CONNECTING, DestinationState.LIVE, DestinationState.RETRYING, DestinationState.REJECTED,
                DestinationState.STOPPED);
        // Lost or stalled; refused while live (an error status); stopped by the user or the publisher.
        allow(DestinationState.LIVE, DestinationState.RETRYING, DestinationState.REJECTED, DestinationState.STOPPED);
        // The backoff ran out; or stopped while waiting.
        allow(DestinationState.RETRYING, DestinationState.CONNECTING, DestinationState.STOPPED);
        // The refusal retry ran out; or stopped while waiting.
        allow(DestinationState.REJECTED, DestinationState.CONNECTING, DestinationState.STOPPED);
        // Final: a stopped destination never comes back (a new one is made instead).
        allow(DestinationState.STOPPED);
    }

    private DestinationTransitions() {
    }

    private static void allow(DestinationState from, DestinationState... to) {
        EnumSet<DestinationState> next = EnumSet.noneOf(DestinationState.class);
        Collections.addAll(next, to);
        LEGAL.put(from, Collections.unmodifiableSet(next));
    }

    static boolean isLegal(DestinationState from, DestinationState to) {
        return LEGAL.get(from).contains(to);
    }

    /** Throws when the table does not list the change. */
    static void check(DestinationState from, DestinationState to) {
        if (!isLegal(from, to)) {
            throw new IllegalStateException("illegal destination transition " + from + " -> " + to);
        }
    }
}
