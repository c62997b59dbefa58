package io.streamhelper.relay.engine.stream;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which {@link StreamState} may follow which. {@link LiveStream} changes state only through this
 * table (as {@code DestinationTransitions} does for a destination): a change it does not list is
 * a bug in whoever asked for it, and throws.
 */
final class StreamTransitions {
    private static final Map<StreamState, Set<StreamState>> LEGAL = new EnumMap<>(StreamState.class);

    static {
        // The publisher dropped uncleanly (grace on); or it stopped, or the stream was taken away.
        allow(StreamState.LIVE, StreamState.RECONNECTING, StreamState.ENDED);
        // A publisher came back within the grace; or the grace ran out, or the stream was taken away.
        allow(StreamState.RECONNECTING, StreamState.LIVE, StreamState.ENDED);
        // Final: a later publish with the key opens a new stream.
        allow(StreamState.ENDED);
    }

    private StreamTransitions() {
    }

    private static void allow(StreamState from, StreamState... to) {
        EnumSet<StreamState> next = EnumSet.noneOf(StreamState.class);
        Collections.addAll(next, to);
        LEGAL.put(from, Collections.unmodifiableSet(next));
    }

    static boolean isLegal(StreamState from, StreamState to) {
        return LEGAL.get(from).contains(to);
    }

    /** Throws when the table does not list the change. */
    static void check(StreamState from, StreamState to) {
        if (!isLegal(from, to)) {
            throw new IllegalStateException("illegal stream transition " + from + " -> " + to);
        }
    }
}
