package io.streamhelper.relay.rtmp.message;

/**
 * The chunk stream ids we send on, one per kind of traffic as ffmpeg and OBS do, so that each
 * chunk stream's header compression sees a regular series (all audio, all video).
 */
public final class ChunkStreamIds {
    public static final int PROTOCOL_CONTROL = 2;
    public static final int COMMAND = 3;
    public static final int AUDIO = 4;
    public static final int DATA = 5;
    public static final int VIDEO = 6;
    /** Stream-level commands (publish, deleteStream) and onStatus replies, as ffmpeg uses. */
    public static final int STREAM_COMMAND = 8;

    private ChunkStreamIds() {
    }
}
