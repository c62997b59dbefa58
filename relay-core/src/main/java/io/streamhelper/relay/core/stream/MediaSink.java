package io.streamhelper.relay.core.stream;

import io.streamhelper.relay.core.media.MediaMessage;

/**
 * Receives one live stream's tags. Both methods are called on the stream's executor (the
 * publisher's event loop), in stream order, so a sink needs no locking for what it keeps.
 */
public interface MediaSink {
    /**
     * The sink was attached: it gets what a late joiner needs to start decoding (metadata,
     * sequence headers, the current group of pictures) before any live tag. Ownership of the
     * snapshot passes to the sink.
     */
    void join(StreamSnapshot snapshot);

    /** One live tag, to be sent at once; ownership passes to the sink, which must release it (or pass it on). */
    void deliver(MediaMessage message);

    /**
     * One live tag that may wait in the sink's outgoing buffer until the next {@link #deliver} or
     * {@link #flush()} (the stream promises one within its hold time). Ownership as for deliver.
     */
    default void deliverHeld(MediaMessage message) {
        deliver(message);
    }

    /** Sends whatever {@link #deliverHeld} left waiting. */
    default void flush() {
    }
}
