package io.streamhelper.relay.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.List;

/**
 * Splits an aggregate message (type 22) into the FLV tags it carries. Each tag becomes its own
 * message sharing the aggregate's buffer (a retained slice, no copy), with timestamp
 * aggregate timestamp + (tag timestamp − first tag timestamp).
 */
final class AggregateMessages {
    private static final int TAG_HEADER = 11;
    private static final int BACK_POINTER = 4;

    private AggregateMessages() {
    }

    static void split(RtmpMessage aggregate, ChunkLimits limits, List<Object> out) {
        ByteBuf p = aggregate.content();
        int index = p.readerIndex();
        int end = p.writerIndex();
        long firstTagTime = -1;
        while (index < end) {
            if (end - index < TAG_HEADER) {
                throw new DecoderException("aggregate message: truncated tag header at offset " + (index - p.readerIndex()));
            }
            int type = p.getUnsignedByte(index) & 0x1F;
            int size = p.getUnsignedMedium(index + 1);
            long tagTime = p.getUnsignedMedium(index + 4) | ((long) p.getUnsignedByte(index + 7) << 24);
            if (size > end - index - TAG_HEADER) {
                throw new DecoderException("aggregate message: tag of " + size + " bytes overruns the message");
            }
            if (firstTagTime < 0) {
                firstTagTime = tagTime;
            }
            long timestamp = aggregate.timestamp() + (tagTime - firstTagTime);
            out.add(new RtmpMessage(aggregate.chunkStreamId(), type, aggregate.messageStreamId(), timestamp,
                    p.retainedSlice(index + TAG_HEADER, size)));
            index += TAG_HEADER + size;
            // The back-pointer after each tag is optional in practice (some servers omit the last one).
            index = Math.min(end, index + BACK_POINTER);
        }
    }
}
