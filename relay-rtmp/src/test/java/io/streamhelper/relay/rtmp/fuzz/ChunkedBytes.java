package io.streamhelper.relay.rtmp.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.rtmp.chunk.ChunkEncoder;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.io.ByteArrayOutputStream;
import io.streamhelper.relay.rtmp.message.Command;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** What ffmpeg sends before media, in our encoder's chunking: connect, createStream, publish. */
    static byte[] publishConversation() {
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("app", "live");
        connect.put("type", "nonprivate");
        connect.put("flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)");
        connect.put("tcUrl", "rtmp://127.0.0.1/live");
        var alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
        return ChunkedBytes.encode(List.of(
                Command.of("connect", 1, connect).encode(alloc, 3, 0),
                Command.of("createStream", 2, (Object) null).encode(alloc, 3, 0),
                Command.of("publish", 3, null, IngestConnection.SEED_KEY, "live").encode(alloc, 8, 1)));
    }
}
