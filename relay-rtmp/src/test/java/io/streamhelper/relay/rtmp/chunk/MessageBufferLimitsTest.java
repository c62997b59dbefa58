package io.streamhelper.relay.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What all partial messages of one ingest connection may hold: little before its publish is
 * granted, two large messages after, and the server's budget over every connection. Each input is
 * fed whole and byte by byte; the connection is refused once, by the limit named, and every
 * buffer it held is released with it.
 */
class MessageBufferLimitsTest {
    private static final int CHUNK = 128;
    private static final ChunkLimits CHUNKS = new ChunkLimits(ChunkLimits.PROTOCOL_MAX_MESSAGE, 1024 * 1024, 64);
    /** 64 KiB and 8 chunk streams before publish, 512 KiB per connection after, 768 KiB for all. */
    private static final MessageBufferLimits BUFFERS = new MessageBufferLimits(64 * 1024, 8, 512 * 1024, 768 * 1024);

    private final MessageBufferBudget budget = new MessageBufferBudget(BUFFERS.budgetBytes());
    private final List<Connection> connections = new ArrayList<>();

    /** An ingest decoder whose allocator remembers every buffer, so that a missed release shows at once. */
    private final class Connection {
        final TrackingAllocator alloc = new TrackingAllocator();
        final ChunkDecoder decoder = new ChunkDecoder(CHUNKS, BUFFERS, budget);
        final EmbeddedChannel channel = new EmbeddedChannel();
        final List<Throwable> refusals = new ArrayList<>();

        Connection() {
            channel.config().setOption(ChannelOption.ALLOCATOR, alloc);
            channel.pipeline().addLast(decoder);
            connections.add(this);
        }

        /** Feeds {@code wire} {@code fragment} bytes at a time; returns the messages; refusals are collected. */
        List<RtmpMessage> feed(ByteBuf wire, int fragment) {
            List<RtmpMessage> out = new ArrayList<>();
            while (wire.isReadable()) {
                ByteBuf piece = wire.readRetainedSlice(Math.min(fragment, wire.readableBytes()));
                try {
                    channel.writeInbound(piece);
                } catch (IngestLimitException refused) {
                    refusals.add(refused);
                }
                for (RtmpMessage m; (m = channel.readInbound()) != null; ) {
                    out.add(m);
                }
            }
            wire.release();
            return out;
        }

        IngestLimitException refusedOnce() {
            assertEquals(1, refusals.size(), "refused exactly once: " + refusals);
            return (IngestLimitException) refusals.get(0);
        }

        void close() {
            channel.finishAndReleaseAll();
            assertEquals(0, decoder.heldBytes(), "nothing counted for a closed connection");
            assertTrue(alloc.unreleased().isEmpty(), "every buffer released: " + alloc.unreleased().size() + " left");
        }
    }

    /** Unpooled, so the decoder takes its buffers before publish from it as well, and it sees them all. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> handedOut = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            handedOut.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        List<ByteBuf> unreleased() {
            return handedOut.stream().filter(b -> b.refCnt() > 0).toList();
        }
    }

    /** The first {@code sent} bytes of a {@code length}-byte video message on {@code csid}, in 128-byte chunks. */
    private static ByteBuf message(int csid, int length, int sent) {
        // The decoder waits for whole chunks: a message broken off mid-chunk would swallow what follows.
        assertTrue(sent == length || sent % CHUNK == 0, "whole chunks only");
        ByteBuf wire = Unpooled.buffer();
        wire.writeByte(csid).writeMedium(0).writeMedium(length).writeByte(9).writeIntLE(1);
        for (int offset = 0; offset < sent; offset += CHUNK) {
            if (offset > 0) {
                wire.writeByte(0xC0 | csid);
            }
            int n = Math.min(CHUNK, sent - offset);
            for (int i = 0; i < n; i++) {
                wire.writeByte(offset + i);
            }
        }
        return wire;
    }

    private static ByteBuf concat(ByteBuf... parts) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf p : parts) {
            all.writeBytes(p);
            p.release();
        }
        return all;
    }

    private void closeAll() {
        connections.forEach(Connection::close);
        assertEquals(0, budget.reserved(), "the budget's counter is back to 0 once every connection closed");
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 7, 100_000})
    void beforePublishOneLargeMessageIsRefusedPast64KiB(int fragment) {
        Connection c = new Connection();
        // 64 KiB of a 200 KiB message fit (the buffer grows to exactly 65536); its next chunk does not.
        c.feed(message(6, 200_000, 64 * 1024), fragment);
        assertTrue(c.refusals.isEmpty(), "64 KiB before publish is allowed");
        assertEquals(64 * 1024, c.decoder.heldBytes());
        c.feed(concat(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC6}), Unpooled.wrappedBuffer(new byte[CHUNK]),
                Unpooled.wrappedBuffer(new byte[] {(byte) 0xC6}), Unpooled.wrappedBuffer(new byte[CHUNK])), fragment);
        IngestLimitException e = c.refusedOnce();
        assertEquals("before_publish_bytes", e.reason());
        assertTrue(e.getMessage().contains("limit of 65536"), e.getMessage());
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void beforePublishTheCapIsOnTheSumOverChunkStreams(int fragment) {
        Connection c = new Connection();
        // Three 30 000-byte messages, each under 64 KiB alone, a chunk short of complete.
        c.feed(concat(message(4, 30_000, 29_952), message(5, 30_000, 29_952), message(6, 30_000, 29_952)), fragment);
        assertEquals("before_publish_bytes", c.refusedOnce().reason());
        assertTrue(c.decoder.heldBytes() <= 64 * 1024, "held " + c.decoder.heldBytes());
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void beforePublishAtMostEightChunkStreams(int fragment) {
        Connection c = new Connection();
        ByteBuf wire = Unpooled.buffer();
        for (int csid = 3; csid < 12; csid++) {
            wire.writeBytes(message(csid, 1000, CHUNK)); // nine streams, each with one chunk of a 1000-byte message
        }
        c.feed(wire, fragment);
        IngestLimitException e = c.refusedOnce();
        assertEquals("before_publish_chunk_streams", e.reason());
        assertTrue(e.getMessage().contains("more than 8 chunk streams before publish"), e.getMessage());
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void aGrantedPublishGetsTheLargerLimits(int fragment) {
        Connection c = new Connection();
        c.decoder.publishGranted();
        ByteBuf wire = Unpooled.buffer();
        for (int csid = 3; csid < 12; csid++) {
            wire.writeBytes(message(csid, 1000, CHUNK));
        }
        wire.writeBytes(message(12, 200_000, 200_000));
        List<RtmpMessage> out = c.feed(wire, fragment);
        assertTrue(c.refusals.isEmpty(), "nine chunk streams and a 200 KB message after the grant: " + c.refusals);
        assertEquals(1, out.size());
        assertEquals(200_000, out.get(0).content().readableBytes());
        out.forEach(RtmpMessage::release);
        assertEquals(9 * CHUNK, budget.reserved(), "the completed message is no longer counted; the nine partial ones are");
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void afterPublishTheConnectionCapHoldsOverItsMessages(int fragment) {
        Connection c = new Connection();
        c.decoder.publishGranted();
        // 300 000 bytes of one message and 250 000 of another: each under 1 MiB, together over 512 KiB.
        c.feed(concat(message(6, 1_000_000, 299_904), message(7, 1_000_000, 249_984)), fragment);
        IngestLimitException e = c.refusedOnce();
        assertEquals("connection_bytes", e.reason());
        assertTrue(e.getMessage().contains("limit of 524288"), e.getMessage());
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void theServerBudgetClosesTheConnectionThatWouldPassItAndNoOther(int fragment) {
        Connection first = new Connection();
        Connection second = new Connection();
        first.decoder.publishGranted();
        second.decoder.publishGranted();
        first.feed(message(6, 450_000, 448_896), fragment);
        assertTrue(first.refusals.isEmpty());
        second.feed(message(6, 450_000, 448_896), fragment);
        IngestLimitException e = second.refusedOnce();
        assertEquals("buffer_budget", e.reason());
        assertTrue(e.getMessage().contains("budget of 786432 bytes"), e.getMessage());

        // The first connection, under the budget, goes on and completes its message.
        ByteBuf rest = Unpooled.buffer();
        for (int offset = 448_896; offset < 450_000; offset += CHUNK) {
            rest.writeByte(0xC6).writeZero(Math.min(CHUNK, 450_000 - offset));
        }
        List<RtmpMessage> out = first.feed(rest, fragment);
        assertTrue(first.refusals.isEmpty());
        assertEquals(1, out.size());
        assertEquals(450_000, out.get(0).content().readableBytes());
        out.forEach(RtmpMessage::release);
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void anAbortedMessageGivesItsBytesBack(int fragment) {
        Connection c = new Connection();
        c.feed(message(6, 50_000, 39_936), fragment);
        assertTrue(c.decoder.heldBytes() >= 39_936);
        // Abort (type 2) naming chunk stream 6.
        ByteBuf abort = Unpooled.buffer().writeByte(0x02).writeMedium(0).writeMedium(4).writeByte(2).writeIntLE(0).writeInt(6);
        List<RtmpMessage> out = c.feed(abort, fragment);
        assertEquals(1, out.size(), "only the Abort itself comes out");
        out.forEach(RtmpMessage::release);
        assertEquals(0, c.decoder.heldBytes());
        assertEquals(0, budget.reserved());
        // With the bytes back, 40 000 more fit again before publish.
        c.feed(message(7, 50_000, 39_936), fragment);
        assertTrue(c.refusals.isEmpty(), "" + c.refusals);
        closeAll();
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 100_000})
    void beforePublishALargeChunkIsRefusedBeforeItsPayloadIsWaitedFor(int fragment) {
        Connection c = new Connection();
        // Set Chunk Size 1 MiB, then a 1 000 000-byte message in one chunk: the decoder would wait
        // for (and hold in its cumulation) the whole megabyte before looking at it.
        ByteBuf wire = Unpooled.buffer();
        wire.writeByte(0x02).writeMedium(0).writeMedium(4).writeByte(1).writeIntLE(0).writeInt(1024 * 1024);
        wire.writeByte(0x06).writeMedium(0).writeMedium(1_000_000).writeByte(9).writeIntLE(1);
        wire.writeZero(10); // of the million
        c.feed(wire, fragment).forEach(RtmpMessage::release); // the Set Chunk Size
        IngestLimitException e = c.refusedOnce();
        assertEquals("before_publish_bytes", e.reason());
        assertTrue(e.getMessage().contains("a chunk of 1000000 bytes"), e.getMessage());
        closeAll();
    }
}
