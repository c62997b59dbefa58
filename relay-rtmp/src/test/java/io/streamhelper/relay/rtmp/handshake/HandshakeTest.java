package io.streamhelper.relay.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static final int PACKET = 1536;

    /** Sits after the handshake handler and keeps what reaches it. */
    private static final class Capture extends ChannelInboundHandlerAdapter {
        final ByteBuf received = Unpooled.buffer();
        final List<Object> events = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received.writeBytes(buf);
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }
    }

    private static byte[] readAllOutbound(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) {
            all.writeBytes(b);
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    private static byte[] plainC1(int seed) {
        byte[] c1 = new byte[PACKET];
        new Random(seed).nextBytes(c1);
        Arrays.fill(c1, 0, 8, (byte) 0);
        return c1;
    }

    /** A C1 like ffmpeg's: version 9.0.124.2 and a Flash Player digest in the given scheme. */
    private static byte[] digestC1(HandshakeDigest.Scheme scheme, int seed) {
        byte[] c1 = plainC1(seed);
        c1[4] = 9;
        c1[5] = 0;
        c1[6] = 124;
        c1[7] = 2;
        HandshakeDigest.sign(c1, scheme, HandshakeDigest.PLAYER_KEY);
        return c1;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf b = Unpooled.buffer();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    void plainHandshakeEchoesC1AndHandsOnWhatFollowsC2() {
        for (int fragment : new int[] {Integer.MAX_VALUE, 1, 100}) {
            Capture capture = new Capture();
            EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), capture);
            byte[] c1 = plainC1(fragment);
            byte[] input = concat(new byte[] {3}, c1, new byte[PACKET], "hello".getBytes());
            for (int i = 0; i < input.length; i += Math.min(fragment, input.length)) {
                ch.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(fragment, input.length - i)));
            }
            byte[] reply = readAllOutbound(ch);
            assertEquals(1 + 2 * PACKET, reply.length, "S0 + S1 + S2");
            assertEquals(3, reply[0]);
            assertArrayEquals(c1, Arrays.copyOfRange(reply, 1 + PACKET, reply.length), "S2 echoes C1");
            assertNull(ch.pipeline().get(ServerHandshakeHandler.class), "the handler removed itself");
            assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
            assertEquals("hello", capture.received.toString(java.nio.charset.StandardCharsets.US_ASCII));
            capture.received.release();
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void digestHandshakeIsAnsweredWithServerDigestsInBothSchemes() throws Exception {
        for (HandshakeDigest.Scheme scheme : HandshakeDigest.Scheme.values()) {
            byte[] c1 = digestC1(scheme, scheme.ordinal());
            assertEquals(scheme, HandshakeDigest.findClientDigest(c1));
            EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler());
            ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {3}, c1)));
            byte[] reply = readAllOutbound(ch);
            byte[] s1 = Arrays.copyOfRange(reply, 1, 1 + PACKET);
            byte[] s2 = Arrays.copyOfRange(reply, 1 + PACKET, 1 + 2 * PACKET);

            int s1Digest = scheme.digestPosition(s1);
            assertArrayEquals(HandshakeDigest.packetDigest(s1, s1Digest, HandshakeDigest.SERVER_KEY),
                    Arrays.copyOfRange(s1, s1Digest, s1Digest + 32), "S1 carries the server digest (" + scheme + ")");
            assertTrue(s1[4] != 0, "S1 announces a server version");

            int c1Digest = scheme.digestPosition(c1);
            byte[] clientDigest = Arrays.copyOfRange(c1, c1Digest, c1Digest + 32);
            Mac keyMac = HandshakeDigest.hmac(HandshakeDigest.SERVER_KEY_FULL);
            Mac s2Mac = HandshakeDigest.hmac(keyMac.doFinal(clientDigest));
            s2Mac.update(s2, 0, PACKET - 32);
            assertArrayEquals(s2Mac.doFinal(), Arrays.copyOfRange(s2, PACKET - 32, PACKET), "S2 signed from the client digest");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aVersionWithoutADigestGetsThePlainEcho() {
        byte[] c1 = plainC1(7);
        c1[4] = 9; // claims a version, carries no valid digest
        assertNull(HandshakeDigest.findClientDigest(c1));
        EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler());
        ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {3}, c1)));
        byte[] reply = readAllOutbound(ch);
        assertArrayEquals(c1, Arrays.copyOfRange(reply, 1 + PACKET, reply.length));
        ch.finishAndReleaseAll();
    }

    @Test
    void somethingThatIsNotRtmpClosesTheConnection() {
        for (byte first : new byte[] {0x16 /* TLS ClientHello */, 'G' /* HTTP */, 6 /* RTMPE */}) {
            EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    assertTrue(cause instanceof HandshakeException, String.valueOf(cause));
                    ctx.close();
                }
            });
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {first, 1, 2, 3}));
            assertFalse(ch.isOpen(), "closed after 0x" + Integer.toHexString(first));
            assertEquals(0, readAllOutbound(ch).length, "nothing answered");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void clientSendsPlainC1AnswersS1WithoutCheckingItAndHandsOnLeftovers() {
        for (int fragment : new int[] {Integer.MAX_VALUE, 1}) {
            Capture capture = new Capture();
            EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(), capture);
            byte[] c0c1 = readAllOutbound(ch);
            assertEquals(1 + PACKET, c0c1.length);
            assertEquals(3, c0c1[0]);
            assertArrayEquals(new byte[8], Arrays.copyOfRange(c0c1, 1, 9), "time 0, version 0: plain");

            byte[] s1 = plainC1(99);
            s1[4] = 4; // YouTube-like version 0x04000001 and no digest
            s1[7] = 1;
            byte[] input = concat(new byte[] {3}, s1, new byte[PACKET], "rest".getBytes());
            for (int i = 0; i < input.length; i += Math.min(fragment, input.length)) {
                ch.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(fragment, input.length - i)));
            }
            assertArrayEquals(s1, readAllOutbound(ch), "C2 echoes S1");
            assertNull(ch.pipeline().get(ClientHandshakeHandler.class));
            assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
            assertEquals("rest", capture.received.toString(java.nio.charset.StandardCharsets.US_ASCII));
            capture.received.release();
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void clientAndServerCompleteWithEachOther() {
        Capture serverSide = new Capture();
        Capture clientSide = new Capture();
        EmbeddedChannel server = new EmbeddedChannel(new ServerHandshakeHandler(), serverSide);
        EmbeddedChannel client = new EmbeddedChannel(new ClientHandshakeHandler(), clientSide);
        for (int round = 0; round < 4; round++) {
            for (ByteBuf b; (b = client.readOutbound()) != null; ) {
                server.writeInbound(b);
            }
            for (ByteBuf b; (b = server.readOutbound()) != null; ) {
                client.writeInbound(b);
            }
        }
        assertEquals(List.of(HandshakeCompleted.INSTANCE), serverSide.events);
        assertEquals(List.of(HandshakeCompleted.INSTANCE), clientSide.events);
        serverSide.received.release();
        clientSide.received.release();
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }
}
