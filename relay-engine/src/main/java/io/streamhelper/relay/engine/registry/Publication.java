package io.streamhelper.relay.engine.registry;

import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.VideoFormat;
import java.util.Objects;

/**
 * One publisher's turn on a stream: what the ingest holds for one connection that was granted a
 * publish. The stream can outlive it (a publisher that drops uncleanly leaves the stream
 * reconnecting for a grace, and the next publisher with the key continues it with a publication
 * of its own), so everything a connection does to the stream goes through here.
 */
public final class Publication {
    private final StreamRegistry registry;
    private final LiveStream stream;

    Publication(StreamRegistry registry, LiveStream stream) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.stream = Objects.requireNonNull(stream, "stream");
    }

    public LiveStream stream() {
        return stream;
    }

    /** One tag from this publisher. Takes ownership. */
    public void publish(MediaMessage message) {
        stream.publish(message);
    }

    /** The publisher's onMetaData, read by the ingest. */
    public void announceFormat(VideoFormat format) {
        stream.announceFormat(format);
    }

    /** The streamer stopped (FCUnpublish, deleteStream, closeStream): the stream ends now. */
    public void end() {
        registry.endPublish(stream);
    }

    /** The connection went away without unpublishing (closed, reset, idle, malformed). */
    public void lost() {
        registry.endPublish(stream);
    }

    /** How the registry closes this publisher's connection (the stream deleted, another encoder taking over). */
    public void onDisconnectRequest(Runnable closer) {
        stream.onDisconnectRequest(closer);
    }

    /** Whether this is still the stream's publisher. */
    public boolean isCurrent() {
        return !stream.isEnded();
    }

    @Override
    public String toString() {
        return "Publication(" + stream.id() + ")";
    }
}
