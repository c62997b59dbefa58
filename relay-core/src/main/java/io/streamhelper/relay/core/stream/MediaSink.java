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

    /** One live tag; ownership passes to the sink, which must release it (or pass it on). */
    void deliver(MediaMessage message);
}
