package io.streamhelper.relay.rtmp.chunk;

/**
 * What one ingest connection may hold in messages still being assembled (the sum over its chunk
 * streams of the buffers' capacity), before and after its publish is granted.
 *
 * <p>Before: connect, createStream and publish are a few hundred bytes each, so a connection
 * that has not been granted a publish gets {@code beforePublishBytes} (64 KiB) over at most
 * {@code beforePublishChunkStreams} chunk streams; without this, a client with no key could hold
 * 64 chunk streams of almost 8 MiB each. 64 KiB is also what one socket read can bring after the
 * publish command from a client that sends media without waiting for the answer (nginx-rtmp's
 * push does), as the ingest reads nothing more while the key is checked.
 *
 * <p>After: {@code perConnectionBytes} (two maximum-size messages) on top of the per-message limit,
 * and the server-wide {@code budgetBytes} ({@link MessageBufferBudget}).
 */
public record MessageBufferLimits(int beforePublishBytes, int beforePublishChunkStreams, long perConnectionBytes,
        long budgetBytes) {
    public static final int DEFAULT_BEFORE_PUBLISH_BYTES = 64 * 1024;
    public static final int DEFAULT_BEFORE_PUBLISH_CHUNK_STREAMS = 8;
    /** Sized for the Compose file's -Xmx256m, whose direct memory is 256 MiB too: half for messages in assembly. */
    public static final long DEFAULT_BUDGET_BYTES = 128L * 1024 * 1024;

    public static final MessageBufferLimits DEFAULT = forMessageSize(ChunkLimits.DEFAULT.maxMessageSize(), DEFAULT_BUDGET_BYTES);

    public MessageBufferLimits {
        if (beforePublishBytes < 1024 || beforePublishChunkStreams < 4 || perConnectionBytes < beforePublishBytes
                || budgetBytes < perConnectionBytes) {
            throw new IllegalArgumentException("message buffer limits too small to speak RTMP, or out of order");
        }
    }

    /** The defaults for a maximum message size: two such messages per connection. */
    public static MessageBufferLimits forMessageSize(int maxMessageSize, long budgetBytes) {
        return new MessageBufferLimits(DEFAULT_BEFORE_PUBLISH_BYTES, DEFAULT_BEFORE_PUBLISH_CHUNK_STREAMS,
                Math.max(2L * maxMessageSize, DEFAULT_BEFORE_PUBLISH_BYTES), budgetBytes);
    }
}
