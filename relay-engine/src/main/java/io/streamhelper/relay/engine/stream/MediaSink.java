package io.streamhelper.relay.engine.stream;

import io.streamhelper.relay.engine.media.MediaMessage;

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

    /**
     * Another publisher continues the stream (reconnected within the grace, or took it over): its
     * tags follow on the same timeline, and its picture can only be decoded from its own first
     * keyframe, which its metadata and sequence headers precede.
     */
    default void publisherChanged() {
    }

    /**
     * The continuing publisher's sequence header differs from its predecessor's (a new resolution,
     * other codec settings); called before that header is delivered.
     */
    default void formatChanged() {
    }

    /**
     * A call above threw: the stream has detached this sink and goes on without it. The sink
     * should recover on its own terms (a destination drops its link and reconnects with
     * backoff). If {@link #deliver} threw with the message's reference count as it was handed
     * over, the stream released the message; a sink that had taken it (released or passed it
     * on) keeps that. What {@link #join} drained is the sink's own. Returns what the log may say
     * of the cause: never a key.
     */
    default String failed(Throwable cause) {
        return cause.getClass().getSimpleName();
    }

    /** How logs name this sink (a destination's id); never a key. */
    default String sinkId() {
        return getClass().getSimpleName();
    }
}
