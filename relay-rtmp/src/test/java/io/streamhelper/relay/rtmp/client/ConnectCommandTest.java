package io.streamhelper.relay.rtmp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.handshake.HandshakeCompleted;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connect command a publishing session sends, byte for byte (AMF0), on an EmbeddedChannel:
 * an enhanced-RTMP stream announces its codecs as {@code fourCcList}, a strict array of FourCC
 * strings after the other properties (where ffmpeg's {@code -rtmp_enhanced_codecs} puts it); a
 * legacy stream's connect has no such property. ffmpeg 8.1 taking it is checked in relay-app
 * (HevcCodecRulesTest).
 */
class ConnectCommandTest {
    private static final String TC_URL = "rtmp://127.0.0.1:1935/app";

    private static ByteBuf connectSent(List<String> fourCcList) {
        DestinationTarget target = new DestinationTarget("d1", "one", TC_URL, Secret.of(TestKeys.destination()));
        DestinationLink.Listener listener = new DestinationLink.Listener() {
            @Override
            public void onLive(DestinationLink link) {
            }

            @Override
            public void onClosed(DestinationLink link, Throwable cause) {
            }
        };
        VirtualTimers timers = new VirtualTimers();
        PublishingSession session = new PublishingSession(target, listener, Duration.ofSeconds(10), loop -> timers.timers,
                fourCcList);
        EmbeddedChannel channel = new EmbeddedChannel(session.handler(RtmpUrl.parse(TC_URL)));
        channel.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        RtmpMessage connect = null;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            RtmpMessage message = (RtmpMessage) out;
            if (message.typeId() == MessageType.COMMAND_AMF0 && connect == null) {
                connect = message;
            } else {
                message.release();
            }
        }
        channel.finishAndReleaseAll();
        ByteBuf bytes = Unpooled.copiedBuffer(connect.content());
        connect.release();
        return bytes;
    }

    /** What the AMF0 spec says connect is, written out by hand rather than with the writer under test. */
    private static ByteBuf expected(List<String> fourCcList) {
        ByteBuf b = Unpooled.buffer();
        string(b, "connect");
        b.writeByte(0x00).writeDouble(1.0);
        b.writeByte(0x03);
        property(b, "app", "app");
        property(b, "type", "nonprivate");
        property(b, "flashVer", PublishingSession.FLASH_VER);
        property(b, "swfUrl", TC_URL);
        property(b, "tcUrl", TC_URL);
        if (!fourCcList.isEmpty()) {
            name(b, "fourCcList");
            b.writeByte(0x0A).writeInt(fourCcList.size()); // strict array: marker, u32 count, values
            fourCcList.forEach(fourCc -> string(b, fourCc));
        }
        b.writeShort(0).writeByte(0x09); // object end
        return b;
    }

    private static void property(ByteBuf b, String name, String value) {
        name(b, name);
        string(b, value);
    }

    private static void name(ByteBuf b, String name) {
        b.writeShort(name.length()).writeCharSequence(name, StandardCharsets.US_ASCII);
    }

    private static void string(ByteBuf b, String value) {
        b.writeByte(0x02).writeShort(value.length()).writeCharSequence(value, StandardCharsets.US_ASCII);
    }

    private static void assertSameBytes(ByteBuf expected, ByteBuf actual) {
        try {
            assertEquals(ByteBufUtil.prettyHexDump(expected), ByteBufUtil.prettyHexDump(actual));
        } finally {
            expected.release();
            actual.release();
        }
    }

    @Test
    void anHevcStreamAnnouncesHvc1AsAStrictArrayInConnect() {
        assertSameBytes(expected(List.of("hvc1")), connectSent(List.of("hvc1")));
    }

    @Test
    void hevcWithOpusAnnouncesBoth() {
        assertSameBytes(expected(List.of("hvc1", "Opus")), connectSent(List.of("hvc1", "Opus")));
    }

    @Test
    void aLegacyStreamsConnectHasNoFourCcList() {
        assertSameBytes(expected(List.of()), connectSent(List.of()));
    }
}
