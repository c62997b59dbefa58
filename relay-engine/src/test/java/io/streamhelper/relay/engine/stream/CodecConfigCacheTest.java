package io.streamhelper.relay.engine.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.StreamGrant;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The enhanced-RTMP configuration packets (video Metadata, audio MultichannelConfig) are cached
 * with the sequence start they follow, and only as long as it: a joiner must never get the HDR
 * colour or channel layout of an encoder's earlier settings with the sequence start of new ones.
 */
class CodecConfigCacheTest {
    private static MediaMessage ex(MediaKind kind, int first, String fourCc, int marker) {
        ByteBuf b = Unpooled.buffer().writeByte(first).writeBytes(fourCc.getBytes(StandardCharsets.US_ASCII)).writeByte(marker);
        return new MediaMessage(kind, 0, b);
    }

    private static List<String> headers(LiveStream stream) {
        List<MediaMessage> headers = stream.retainedHeaders();
        try {
            return headers.stream().map(m -> ByteBufUtil.hexDump(m.content())).toList();
        } finally {
            headers.forEach(MediaMessage::release);
        }
    }

    @Test
    void aNewSequenceStartDropsTheConfigurationOfTheOldOne() {
        LiveStream stream = new LiveStream(new StreamGrant("s1", "S"), ImmediateEventExecutor.INSTANCE, 1 << 20);
        stream.publish(ex(MediaKind.AUDIO, 0x90, "Opus", 1)); // SequenceStart (OpusHead)
        stream.publish(ex(MediaKind.AUDIO, 0x94, "Opus", 2)); // MultichannelConfig
        stream.publish(ex(MediaKind.VIDEO, 0x90, "hvc1", 3)); // SequenceStart
        stream.publish(ex(MediaKind.VIDEO, 0xd4, "hvc1", 4)); // Metadata (colorInfo)
        assertEquals(List.of("904f70757301", "944f70757302", "906876633103", "d46876633104"), headers(stream),
                "each configuration packet right after its sequence start");

        stream.publish(ex(MediaKind.VIDEO, 0x90, "hvc1", 5)); // new encoder settings, no Metadata packet
        stream.publish(ex(MediaKind.AUDIO, 0x90, "Opus", 6));
        assertEquals(List.of("904f70757306", "906876633105"), headers(stream));
        stream.end();
    }
}
