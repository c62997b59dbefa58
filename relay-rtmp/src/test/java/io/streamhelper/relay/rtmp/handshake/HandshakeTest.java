package io.streamhelper.relay.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeTest {
    private static final int PACKET = 1536;

    // The digest handshake's public constants, written out here independently of HandshakeDigest
    // so that a typo there fails these tests.
    private static final byte[] PLAYER_KEY = "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY_FULL = concat(SERVER_KEY,
            HexFormat.of().parseHex("F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE"));

    /** Sits after the handshake handler and keeps what reaches it. */
    private static final class Capture extends ChannelInboundHandlerAdapter {
        final ByteBuf received = Unpooled.buffer();
        final List<Object> events = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();
        int reads;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            reads++;
            received.writeBytes(buf);
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause); // recorded only: closing is the handshake handler's job
        }

        String receivedText() {
            String text = received.toString(StandardCharsets.US_ASCII);
            received.release();
            return text;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] readAllOutbound(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) {
            all.writeBytes(b);
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    /** Writes the bytes into the channel in pieces of at most {@code fragment} bytes. */
    private static void feed(EmbeddedChannel ch, byte[] input, int fragment) {
        for (int i = 0; i < input.length; i += fragment) {
            ch.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(fragment, input.length - i)));
        }
    }

    private static byte[] plainPacket(int seed) {
        byte[] packet = new byte[PACKET];
        new Random(seed).nextBytes(packet);
        Arrays.fill(packet, 0, 8, (byte) 0);
        return packet;
    }

    /** Where the digest sits for offset bytes at {@code offsetField} (8 or 772). */
    private static int digestPosition(byte[] packet, int offsetField) {
        int sum = 0;
        for (int i = 0; i < 4; i++) {
            sum += packet[offsetField + i] & 0xFF;
        }
        return offsetField + 4 + sum % 728;
    }

    private static byte[] hmac(byte[] key, byte[] data, int from, int to) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, from, to - from);
            return mac.doFinal();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** HMAC-SHA256 over the packet without the 32 bytes at {@code position}. */
    private static byte[] packetHmac(byte[] key, byte[] packet, int position) {
        byte[] rest = concat(Arrays.copyOfRange(packet, 0, position), Arrays.copyOfRange(packet, position + 32, PACKET));
        return hmac(key, rest, 0, rest.length);
    }

    /** A C1 like ffmpeg's: version 9.0.124.2 and a Flash Player digest for offset bytes at offsetField. */
    private static byte[] digestC1(int offsetField, int seed) {
        byte[] c1 = plainPacket(seed);
        c1[4] = 0x09;
        c1[5] = 0x00;
        c1[6] = 0x7c;
        c1[7] = 0x02;
        int position = digestPosition(c1, offsetField);
        System.arraycopy(packetHmac(PLAYER_KEY, c1, position), 0, c1, position, 32);
        return c1;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- server

    @ParameterizedTest(name = "in pieces of {0} bytes")
    @ValueSource(ints = {Integer.MAX_VALUE, 1, 7, 1000, 1537})
    void plainHandshakeEchoesC1AndHandsOnWhatFollowsC2(int fragment) {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), capture);
        byte[] c1 = plainPacket(fragment);
        feed(ch, concat(new byte[] {3}, c1, new byte[PACKET], ascii("hello")), fragment);

        byte[] reply = readAllOutbound(ch);
        assertEquals(1 + 2 * PACKET, reply.length, "S0 + S1 + S2");
        assertEquals(3, reply[0], "S0");
        assertArrayEquals(new byte[4], Arrays.copyOfRange(reply, 5, 9), "S1 version zero: plain handshake");
        assertArrayEquals(c1, Arrays.copyOfRange(reply, 1 + PACKET, reply.length), "S2 echoes C1");
        assertNull(ch.pipeline().get(ServerHandshakeHandler.class), "the handler removed itself");
        assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
        assertEquals("hello", capture.receivedText());
        assertTrue(capture.exceptions.isEmpty());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void serverAnswersC1BeforeC2ArrivesAndCompletesOnlyWithAWholeC2() {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), capture);
        ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {3}, plainPacket(1))));
        assertEquals(1 + 2 * PACKET, readAllOutbound(ch).length, "answered as soon as C0+C1 are in");

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[PACKET - 1]));
        assertNotNull(ch.pipeline().get(ServerHandshakeHandler.class), "still waiting for the last byte of C2");
        assertTrue(capture.events.isEmpty());

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1]));
        assertNull(ch.pipeline().get(ServerHandshakeHandler.class));
        assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
        assertEquals(0, capture.reads, "nothing followed C2, so nothing is passed on");
        assertEquals(0, readAllOutbound(ch).length, "C2 is not answered");
        capture.received.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @ParameterizedTest(name = "offset bytes at {0}")
    @ValueSource(ints = {8, 772})
    void digestHandshakeIsAnsweredWithServerDigestsInTheSameScheme(int offsetField) {
        byte[] c1 = digestC1(offsetField, offsetField);
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), capture);
        ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {3}, c1)));
        byte[] reply = readAllOutbound(ch);
        assertEquals(1 + 2 * PACKET, reply.length);
        assertEquals(3, reply[0]);
        byte[] s1 = Arrays.copyOfRange(reply, 1, 1 + PACKET);
        byte[] s2 = Arrays.copyOfRange(reply, 1 + PACKET, 1 + 2 * PACKET);

        assertTrue((s1[4] & 0xFF) >= 3, "S1 announces a server version ffmpeg checks digests for");
        int s1Position = digestPosition(s1, offsetField);
        assertArrayEquals(packetHmac(SERVER_KEY, s1, s1Position), Arrays.copyOfRange(s1, s1Position, s1Position + 32),
                "S1 carries a server digest keyed with the first 36 bytes of the FMS key");

        int c1Position = digestPosition(c1, offsetField);
        byte[] s2Key = hmac(SERVER_KEY_FULL, c1, c1Position, c1Position + 32);
        assertArrayEquals(hmac(s2Key, s2, 0, PACKET - 32), Arrays.copyOfRange(s2, PACKET - 32, PACKET),
                "S2 ends with the HMAC keyed from the client digest");
        assertFalse(Arrays.equals(c1, s2), "not the plain echo");

        ch.writeInbound(Unpooled.wrappedBuffer(concat(s1, ascii("connect"))));
        assertNull(ch.pipeline().get(ServerHandshakeHandler.class));
        assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
        assertEquals("connect", capture.receivedText());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void digestHelperAgreesWithTheTestsIndependentDigest() {
        assertEquals(HandshakeDigest.Scheme.OFFSET_AT_8, HandshakeDigest.findClientDigest(digestC1(8, 1)));
        assertEquals(HandshakeDigest.Scheme.OFFSET_AT_772, HandshakeDigest.findClientDigest(digestC1(772, 2)));
        assertArrayEquals(PLAYER_KEY, HandshakeDigest.PLAYER_KEY);
        assertArrayEquals(SERVER_KEY, HandshakeDigest.SERVER_KEY);
        assertArrayEquals(SERVER_KEY_FULL, HandshakeDigest.SERVER_KEY_FULL);
        assertEquals(68, HandshakeDigest.SERVER_KEY_FULL.length);
    }

    @Test
    void aVersionWithoutAValidDigestGetsThePlainEcho() {
        byte[] noDigest = plainPacket(7);
        noDigest[4] = 9; // claims a version, carries no digest
        byte[] brokenDigest = digestC1(8, 8);
        brokenDigest[1000] ^= 1; // a digest that no longer matches the packet
        for (byte[] c1 : List.of(noDigest, brokenDigest)) {
            assertNull(HandshakeDigest.findClientDigest(c1));
            EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler());
            ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {3}, c1)));
            byte[] reply = readAllOutbound(ch);
            assertEquals(1 + 2 * PACKET, reply.length);
            assertArrayEquals(new byte[4], Arrays.copyOfRange(reply, 5, 9), "S1 version zero");
            assertArrayEquals(c1, Arrays.copyOfRange(reply, 1 + PACKET, reply.length), "S2 echoes C1");
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0x16 /* TLS ClientHello */, 'G' /* HTTP GET */, 'P' /* HTTP POST */, 6 /* RTMPE */, 0, 0xFF})
    void somethingThatIsNotRtmpClosesTheConnectionAtOnce(int first) {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), capture);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) first}));
        assertFalse(ch.isOpen(), "closed on the first byte, without waiting for C1");
        assertEquals(1, capture.exceptions.size());
        assertTrue(capture.exceptions.get(0) instanceof HandshakeException, String.valueOf(capture.exceptions));
        assertEquals(0, readAllOutbound(ch).length, "nothing answered");
        assertEquals(0, capture.reads, "nothing passed on");
        assertTrue(capture.events.isEmpty());
        ch.checkException(); // the exception was handled, not left to crash the channel
        capture.received.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aLongNonRtmpRequestIsDroppedWhole() {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ServerHandshakeHandler(), capture);
        byte[] request = ascii("GET / HTTP/1.1\r\nHost: relay\r\n" + "X-Pad: x\r\n".repeat(400) + "\r\n");
        assertTrue(request.length > 1 + 2 * PACKET);
        ch.writeInbound(Unpooled.wrappedBuffer(request));
        assertFalse(ch.isOpen());
        assertEquals(1, capture.exceptions.size());
        assertEquals(0, readAllOutbound(ch).length);
        assertEquals(0, capture.reads);
        capture.received.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    // ---------------------------------------------------------------- client

    @Test
    void clientSendsOnePlainC0C1WhenActive() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler());
        byte[] c0c1 = readAllOutbound(ch);
        assertEquals(1 + PACKET, c0c1.length);
        assertEquals(3, c0c1[0], "C0");
        assertArrayEquals(new byte[8], Arrays.copyOfRange(c0c1, 1, 9), "time 0, version 0: plain");
        assertNotEquals(0, Arrays.hashCode(Arrays.copyOfRange(c0c1, 9, c0c1.length)), "random filler");

        ch.pipeline().fireChannelActive();
        assertEquals(0, readAllOutbound(ch).length, "C0+C1 is sent once");
        assertFalse(ch.finishAndReleaseAll());
    }

    @ParameterizedTest(name = "in pieces of {0} bytes")
    @ValueSource(ints = {Integer.MAX_VALUE, 1, 100, 1537})
    void clientAnswersS1WithoutCheckingItAndHandsOnLeftovers(int fragment) {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(), capture);
        readAllOutbound(ch); // C0+C1

        byte[] s1 = plainPacket(99);
        s1[4] = 4; // YouTube's version 0x04000001, and no digest to find
        s1[7] = 1;
        byte[] s2 = plainPacket(100);
        feed(ch, concat(new byte[] {3}, s1, s2, ascii("rest")), fragment);

        assertArrayEquals(s1, readAllOutbound(ch), "C2 echoes S1");
        assertNull(ch.pipeline().get(ClientHandshakeHandler.class), "the handler removed itself");
        assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
        assertEquals("rest", capture.receivedText());
        assertTrue(capture.exceptions.isEmpty());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void clientSendsC2BeforeS2Arrives() {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(), capture);
        readAllOutbound(ch); // C0+C1

        byte[] s1 = plainPacket(5);
        ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {3}, s1)));
        assertArrayEquals(s1, readAllOutbound(ch), "C2 goes out on S0+S1 alone");
        assertNotNull(ch.pipeline().get(ClientHandshakeHandler.class));
        assertTrue(capture.events.isEmpty(), "not complete before S2");

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[PACKET]));
        assertNull(ch.pipeline().get(ClientHandshakeHandler.class));
        assertEquals(List.of(HandshakeCompleted.INSTANCE), capture.events);
        assertEquals(0, capture.reads);
        assertEquals(0, readAllOutbound(ch).length, "S2 is not answered");
        capture.received.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0x16, 'H', 6, 0})
    void clientRejectsAWrongS0(int first) {
        Capture capture = new Capture();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(), capture);
        readAllOutbound(ch); // C0+C1
        ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {(byte) first}, plainPacket(3))));
        assertFalse(ch.isOpen());
        assertEquals(1, capture.exceptions.size());
        assertTrue(capture.exceptions.get(0) instanceof HandshakeException);
        assertEquals(0, readAllOutbound(ch).length, "no C2");
        assertEquals(0, capture.reads);
        assertTrue(capture.events.isEmpty());
        capture.received.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    // ---------------------------------------------------------------- both ends

    @Test
    void clientAndServerCompleteWithEachOther() {
        Capture serverSide = new Capture();
        Capture clientSide = new Capture();
        EmbeddedChannel server = new EmbeddedChannel(new ServerHandshakeHandler(), serverSide);
        EmbeddedChannel client = new EmbeddedChannel(new ClientHandshakeHandler(), clientSide);
        for (int round = 0; round < 10 && (serverSide.events.isEmpty() || clientSide.events.isEmpty()); round++) {
            for (ByteBuf b; (b = client.readOutbound()) != null; ) {
                server.writeInbound(b);
            }
            for (ByteBuf b; (b = server.readOutbound()) != null; ) {
                client.writeInbound(b);
            }
        }
        assertEquals(List.of(HandshakeCompleted.INSTANCE), serverSide.events);
        assertEquals(List.of(HandshakeCompleted.INSTANCE), clientSide.events);
        assertNull(server.pipeline().get(ServerHandshakeHandler.class));
        assertNull(client.pipeline().get(ClientHandshakeHandler.class));

        client.writeOutbound(Unpooled.wrappedBuffer(ascii("after")));
        for (ByteBuf b; (b = client.readOutbound()) != null; ) {
            server.writeInbound(b);
        }
        assertEquals("after", serverSide.receivedText(), "bytes after the handshake flow straight through");
        assertEquals(0, clientSide.reads);
        clientSide.received.release();
        assertFalse(server.finishAndReleaseAll());
        assertFalse(client.finishAndReleaseAll());
    }

    /** Over a real (in-JVM) transport, where the client's channelActive comes after it is added. */
    @Test
    void clientAndServerCompleteOverALocalTransport() throws Exception {
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
        try {
            LocalAddress address = new LocalAddress("handshake-" + UUID.randomUUID());
            CompletableFuture<Object> serverDone = new CompletableFuture<>();
            CompletableFuture<Object> clientDone = new CompletableFuture<>();
            CompletableFuture<String> serverReceived = new CompletableFuture<>();
            Channel serverChannel = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new ServerHandshakeHandler(), new ChannelInboundHandlerAdapter() {
                                final StringBuilder text = new StringBuilder();

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    serverDone.complete(evt);
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf buf = (ByteBuf) msg;
                                    text.append(buf.toString(StandardCharsets.US_ASCII));
                                    buf.release();
                                    if (text.length() >= 4) {
                                        serverReceived.complete(text.toString());
                                    }
                                }
                            });
                        }
                    })
                    .bind(address).sync().channel();
            Channel clientChannel = new Bootstrap().group(group).channel(LocalChannel.class)
                    .handler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new ClientHandshakeHandler(), new ChannelInboundHandlerAdapter() {
                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    clientDone.complete(evt);
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(ascii("ping")));
                                }
                            });
                        }
                    })
                    .connect(address).sync().channel();

            assertEquals(HandshakeCompleted.INSTANCE, clientDone.get(5, TimeUnit.SECONDS));
            assertEquals(HandshakeCompleted.INSTANCE, serverDone.get(5, TimeUnit.SECONDS));
            assertEquals("ping", serverReceived.get(5, TimeUnit.SECONDS));
            // Asked on the client's own loop: the handler removes itself right after firing the
            // event, which may be after the server (another thread) has already read "ping".
            assertNull(clientChannel.eventLoop().submit(() -> clientChannel.pipeline().get(ClientHandshakeHandler.class))
                    .get(5, TimeUnit.SECONDS));
            clientChannel.close().sync();
            serverChannel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
