package io.streamhelper.relay.engine.registry;

import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.VideoFormat;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One publisher's turn on a stream: what the ingest holds for one connection that was granted a
 * publish. The stream can outlive it (a publisher that drops uncleanly leaves the stream
 * reconnecting for a grace, and the next publisher with the key continues it with a publication
 * of its own), so everything a connection does to the stream goes through here, and a stale
 * publication (taken over, or its stream ended, maybe with a new one begun under the key)
 * releases what it is given and never touches the stream.
 *
 * <p>The stream lives on its first publisher's event loop. A continuing publisher's connection
 * may be on another: its tags are handed to the stream's loop in order (one queued task each);
 * on the same loop, the common case, they go straight in.
 */
public final class Publication {
    /** In place of the closer once a disconnect was asked for: a closer set later runs at once. */
    private static final Runnable DISCONNECT_REQUESTED = () -> { };

    private final StreamRegistry registry;
    private final StreamRegistry.Live entry;
    private final LiveStream stream;
    private final EventExecutor loop;
    private final AtomicReference<Runnable> closer = new AtomicReference<>(() -> { });

    Publication(StreamRegistry registry, StreamRegistry.Live entry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.entry = Objects.requireNonNull(entry, "entry");
        this.stream = entry.stream;
        this.loop = stream.executor();
    }

    public LiveStream stream() {
        return stream;
    }

    /** One tag from this publisher. Takes ownership. From the publisher's connection's loop. */
    public void publish(MediaMessage message) {
        if (loop.inEventLoop()) {
            publishHere(message);
            return;
        }
        try {
            loop.execute(() -> publishHere(message));
        } catch (RejectedExecutionException gone) {
            message.release();
        }
    }

    private void publishHere(MediaMessage message) {
        if (entry.current.get() == this) {
            stream.publish(message);
        } else {
            message.release();
        }
    }

    /** The publisher's onMetaData, read by the ingest. */
    public void announceFormat(VideoFormat format) {
        Runnable announce = () -> {
            if (entry.current.get() == this) {
                stream.announceFormat(format);
            }
        };
        if (loop.inEventLoop()) {
            announce.run();
        } else {
            try {
                loop.execute(announce);
            } catch (RejectedExecutionException gone) {
                // the stream's loop is gone, and the stream with it
            }
        }
    }

    /** The streamer stopped (FCUnpublish, deleteStream, closeStream): the stream ends after the tags handed over before, if this still feeds it. */
    public void end() {
        registry.publicationEnded(entry, this);
    }

    /**
     * The connection went away without unpublishing (closed, reset, idle, malformed): the stream
     * waits for a publisher to come back (or ends, with no grace), if this still feeds it.
     * {@code why} is for the log: the ingest's words, never a key.
     */
    public void lost(String why) {
        registry.publisherLost(entry, this, why);
    }

    /** As {@link #lost(String)}, for a connection that went away for no reason it can say. */
    public void lost() {
        lost("connection lost");
    }

    /**
     * How the registry closes this publisher's connection (the stream deleted, another encoder
     * taking over). A disconnect asked for before the ingest says how (the stream deleted while
     * its publisher was being let in) is remembered, and the closer runs at once. Safe from any thread.
     */
    public void onDisconnectRequest(Runnable how) {
        Runnable previous = closer.getAndUpdate(p -> p == DISCONNECT_REQUESTED ? p : how);
        if (previous == DISCONNECT_REQUESTED) {
            how.run();
        }
    }

    /** Closes this publisher's connection, now or as soon as the ingest says how. */
    void disconnect() {
        closer.getAndSet(DISCONNECT_REQUESTED).run();
    }

    /** Whether this is still the stream's publisher. Safe from any thread. */
    public boolean isCurrent() {
        return entry.current.get() == this && !stream.isEnded();
    }

    @Override
    public String toString() {
        return "Publication(" + stream.id() + ")";
    }
}
