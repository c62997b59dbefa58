package io.streamhelper.relay.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.ArrayList;
import java.util.List;

/** Wire bytes in and out of the chunk codec, for the codec tests. */
final class ChunkWire {
    private ChunkWire() {
    }

    /** Everything the channel has written so far, as one array; the written buffers are released. */
    static byte[] written(EmbeddedChannel channel) {
        ByteBuf wire = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            wire.writeBytes(part);
            part.release();
        }
        byte[] out = ByteBufUtil.getBytes(wire);
        wire.release();
        return out;
    }

    /** Feeds the bytes to a fresh decoder {@code fragment} bytes at a time and returns every message it made. */
    static List<RtmpMessage> decode(byte[] wire, int fragment) {
        EmbeddedChannel decoder = new EmbeddedChannel(new ChunkDecoder());
        for (int i = 0; i < wire.length; i += fragment) {
            decoder.writeInbound(Unpooled.wrappedBuffer(wire, i, Math.min(fragment, wire.length - i)));
        }
        List<RtmpMessage> out = new ArrayList<>();
        RtmpMessage m;
        while ((m = decoder.readInbound()) != null) {
            out.add(m);
        }
        assertFalse(decoder.finishAndReleaseAll(), "nothing left over");
        return out;
    }
}
