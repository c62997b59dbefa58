package io.streamhelper.relay.engine.stream;

/**
 * Which {@link StreamState} may follow which. {@link LiveStream} changes state only through this
 * table (as {@code DestinationTransitions} does for a destination).
 */
final class StreamTransitions {
    private static final TransitionTable<StreamState> TABLE = TransitionTable.of(StreamState.class, "stream")
            // The publisher dropped uncleanly (grace on); or it stopped, or the stream was taken away.
            .allow(StreamState.LIVE, StreamState.RECONNECTING, StreamState.ENDED)
            // A publisher came back within the grace; or the grace ran out, or the stream was taken away.
            .allow(StreamState.RECONNECTING, StreamState.LIVE, StreamState.ENDED)
            // Final: a later publish with the key opens a new stream.
            .allow(StreamState.ENDED)
            .build();

    private StreamTransitions() {
    }

    /** Throws when the table does not list the change. */
    static void check(StreamState from, StreamState to) {
        TABLE.check(from, to);
    }
}
