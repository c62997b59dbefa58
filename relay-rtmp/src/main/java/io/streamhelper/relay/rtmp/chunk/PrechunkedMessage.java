package io.streamhelper.relay.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.streamhelper.relay.rtmp.message.RtmpMessage;

/**
 * A message together with the chunks that {@link ChunkEncoder#chunkOnce} made of it for every
 * destination alike. The encoder sends the chunks when they fit the connection (same chunk size,
 * same timestamp delta since its last message on the chunk stream) and chunks the message itself
 * when they do not, so sharing can never put wrong bytes on the wire. Releasing this releases
 * both.
 */
public final class PrechunkedMessage extends AbstractReferenceCounted {
    private final RtmpMessage message;
    private final ByteBuf chunks;
    private final long delta;
    private final int chunkSize;

    /** Takes ownership of {@code message} and {@code chunks}. */
    public PrechunkedMessage(RtmpMessage message, ByteBuf chunks, long delta, int chunkSize) {
        this.message = message;
        this.chunks = chunks;
        this.delta = delta;
        this.chunkSize = chunkSize;
    }

    public RtmpMessage message() {
        return message;
    }

    public ByteBuf chunks() {
        return chunks;
    }

    /** The timestamp delta written in the chunks' type-1 header. */
    public long delta() {
        return delta;
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected void deallocate() {
        message.release();
        chunks.release();
    }

    @Override
    public PrechunkedMessage touch(Object hint) {
        message.touch(hint);
        chunks.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "PrechunkedMessage(" + message + ", delta=" + delta + ", chunkSize=" + chunkSize + ")";
    }
}
