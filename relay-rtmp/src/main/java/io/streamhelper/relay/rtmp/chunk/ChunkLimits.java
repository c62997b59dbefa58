package io.streamhelper.relay.rtmp.chunk;

/**
 * Hard limits that keep a hostile or broken peer from making us allocate without bound.
 *
 * @param maxChunkSize      the largest Set Chunk Size we accept from the peer
 * @param maxMessageSize    the largest message we assemble (a 4K keyframe fits comfortably)
 * @param maxChunkStreams   how many chunk streams one connection may open
 */
public record ChunkLimits(int maxChunkSize, int maxMessageSize, int maxChunkStreams) {
    /** Message length is a 24-bit field, so nothing can announce more than this anyway. */
    public static final int PROTOCOL_MAX_MESSAGE = 0xFFFFFF;

    public static final ChunkLimits DEFAULT = new ChunkLimits(PROTOCOL_MAX_MESSAGE, 8 * 1024 * 1024, 64);

    public ChunkLimits {
        if (maxChunkSize < 128 || maxMessageSize < 128 || maxChunkStreams < 4) {
            throw new IllegalArgumentException("chunk limits too small to speak RTMP");
        }
    }
}
