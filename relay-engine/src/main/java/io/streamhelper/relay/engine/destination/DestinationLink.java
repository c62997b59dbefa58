package io.streamhelper.relay.engine.destination;

import io.streamhelper.relay.engine.media.MediaMessage;

/** One connection publishing to one destination. Methods may be called from any thread. */
public interface DestinationLink {
    /** Sends one tag, already on this destination's timeline, at once. Takes ownership of the message. */
    void send(MediaMessage message);

    /**
     * Writes one tag to the outgoing buffer without pushing it to the network yet: the next
     * {@link #send} or {@link #flush} carries it along, in order. Takes ownership of the message.
     */
    default void queue(MediaMessage message) {
        send(message);
    }

    /** Pushes whatever {@link #queue} left in the outgoing buffer to the network. */
    default void flush() {
    }

    /** False while the outgoing buffer is above its high-water mark: the caller should drop. */
    boolean isWritable();

    /** Bytes written to the socket so far, protocol overhead included. */
    long bytesSent();

    /** Ends the publish the way encoders do (FCUnpublish, deleteStream) and closes. Idempotent. */
    void close();

    /**
     * Drops the connection at once, without the goodbye (the destination is not reading anyway);
     * the listener hears {@code onClosed} with this reason.
     */
    void abort(Throwable reason);

    interface Listener {
        /** The destination answered NetStream.Publish.Start: media may flow. */
        void onLive(DestinationLink link);

        /**
         * The link is closed. {@code cause} is null when we closed it ourselves, a
         * {@link DestinationRejectedException} when the destination refused us, and any other
         * exception for network trouble.
         */
        void onClosed(DestinationLink link, Throwable cause);
    }
}
