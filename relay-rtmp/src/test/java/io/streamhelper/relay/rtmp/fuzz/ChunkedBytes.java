package io.streamhelper.relay.rtmp.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.rtmp.chunk.ChunkEncoder;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** Messages as our own chunk encoder puts them on the wire (a Set Chunk Size among them applies to those after it). */
final class ChunkedBytes {
    private ChunkedBytes() {
    }

    static byte[] encode(List<RtmpMessage> messages) {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        try {
            messages.forEach(encoder::writeOutbound);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (ByteBuf b; (b = encoder.readOutbound()) != null; b.release()) {
                wire.writeBytes(ByteBufUtil.getBytes(b));
            }
            return wire.toByteArray();
        } finally {
            encoder.finishAndReleaseAll();
        }
    }
}
