package io.streamhelper.relay.engine.destination;

/** What is happening to one destination right now (what the user wants is kept elsewhere). */
public enum DestinationState {
    IDLE,
    CONNECTING,
    LIVE,
    /** Lost the connection; a reconnect is scheduled. */
    RETRYING,
    /** The destination refused us; retried only rarely. */
    REJECTED,
    /**
     * The stream is in a codec the destination does not take ({@link CodecRules}): nothing is
     * sent and no connection is open; a publisher that changes codec gets it decided again.
     */
    INCOMPATIBLE,
    STOPPED;

    /** The name the API, the stats and the metrics use: {@code live}, {@code retrying}, ... */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
