package io.streamhelper.relay.engine.stream;

/**
 * Where a stream is in its life. A stream outlives its publisher's connection: a publisher that
 * goes away uncleanly (the connection dropped, no media for the idle timeout) leaves the stream
 * {@link #RECONNECTING} for a grace period, with every destination still connected and published,
 * so an encoder that comes back continues the same broadcast everywhere.
 */
public enum StreamState {
    /** A publisher is connected and sending. */
    LIVE,
    /** The publisher went away uncleanly; the destinations stay published until the grace ends. */
    RECONNECTING,
    /** Over: every destination was told (or is being told) the stream ended. */
    ENDED;

    /** The name the API, the stats and the metrics use: {@code live}, {@code reconnecting}, {@code ended}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
