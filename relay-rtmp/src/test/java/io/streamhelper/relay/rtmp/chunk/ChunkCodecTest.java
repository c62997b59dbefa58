package io.streamhelper.relay.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {

    private static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static RtmpMessage message(int csid, int type, int streamId, long ts, byte[] payload) {
        return new RtmpMessage(csid, type, streamId, ts, Unpooled.wrappedBuffer(payload));
    }

    /** Encodes with a fresh encoder and returns the wire bytes. */
    private static byte[] encode(List<RtmpMessage> messages) {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        for (RtmpMessage m : messages) {
            assertTrue(encoder.writeOutbound(m));
        }
        byte[] out = ChunkWire.written(encoder);
        encoder.finishAndReleaseAll();
        return out;
    }

    private static List<RtmpMessage> decode(byte[] wire, int fragment) {
        return ChunkWire.decode(wire, fragment);
    }

    private static void assertSameMessage(int csid, int type, int streamId, long ts, byte[] payload, RtmpMessage actual) {
        try {
            assertEquals(csid, actual.chunkStreamId(), "chunk stream");
            assertEquals(type, actual.typeId(), "type");
            assertEquals(streamId, actual.messageStreamId(), "message stream");
            assertEquals(ts, actual.timestamp(), "timestamp");
            assertArrayEquals(payload, ByteBufUtil.getBytes(actual.content()), "payload");
        } finally {
            actual.release();
        }
    }

    @Test
    void roundTripOfMixedTrafficWholeAndByteByByte() {
        // Audio and video on their own chunk streams, sizes around the 128-byte chunk, timestamps
        // moving forward, jumping back (forces type 0) and crossing the extended range.
        long[] times = {0, 0, 23, 46, 46, 40, 0xFFFFFE, 0xFFFFFF, 0x1000010, 0xFFFFFFFFL};
        int[] sizes = {0, 1, 127, 128, 129, 300, 128, 5000, 4096, 17};
        List<Object[]> expected = new ArrayList<>();
        for (int i = 0; i < times.length; i++) {
            int csid = i % 3 == 0 ? 4 : i % 3 == 1 ? 6 : 70 + i * 40; // 1-, 2- and 3-byte basic headers
            int type = i % 2 == 0 ? MessageType.AUDIO : MessageType.VIDEO;
            expected.add(new Object[] {csid, type, 1, times[i], bytes(sizes[i], i)});
        }
        List<RtmpMessage> toSend = new ArrayList<>();
        for (Object[] e : expected) {
            toSend.add(message((int) e[0], (int) e[1], (int) e[2], (long) e[3], (byte[]) e[4]));
        }
        byte[] wire = encode(toSend);
        for (int fragment : new int[] {wire.length, 1, 7, 129}) {
            List<RtmpMessage> decoded = decode(wire, fragment);
            assertEquals(expected.size(), decoded.size(), "messages decoded with fragments of " + fragment);
            for (int i = 0; i < expected.size(); i++) {
                Object[] e = expected.get(i);
                assertSameMessage((int) e[0], (int) e[1], (int) e[2], (long) e[3], (byte[]) e[4], decoded.get(i));
            }
        }
    }

    @Test
    void sameChunkStreamUsesCompressedHeaders() {
        // Three equal-sized audio tags 23 ms apart: type 0, then type 1 (delta), then type 2.
        byte[] a = bytes(10, 1);
        byte[] wire = encode(List.of(message(4, 8, 1, 1000, a), message(4, 8, 1, 1023, a), message(4, 8, 1, 1046, a)));
        assertEquals((1 + 11 + 10) + (1 + 3 + 10) + (1 + 3 + 10), wire.length, "type 0 + type 2 + type 2 headers");
        assertEquals(0x04, wire[0] & 0xFF, "fmt 0, csid 4");
        assertEquals(0x84, wire[22] & 0xFF, "fmt 2, csid 4");
        List<RtmpMessage> decoded = decode(wire, 1);
        assertSameMessage(4, 8, 1, 1000, a, decoded.get(0));
        assertSameMessage(4, 8, 1, 1023, a, decoded.get(1));
        assertSameMessage(4, 8, 1, 1046, a, decoded.get(2));
    }

    @Test
    void decodesHandWrittenHeadersOfEveryFormat() {
        ByteBuf in = Unpooled.buffer();
        // fmt 0, csid 6: ts 1000, length 3, type 9, stream 1 (little-endian)
        in.writeByte(0x06).writeMedium(1000).writeMedium(3).writeByte(9).writeIntLE(1).writeBytes(new byte[] {1, 2, 3});
        // fmt 1: delta 40, length 2, type 9
        in.writeByte(0x46).writeMedium(40).writeMedium(2).writeByte(9).writeBytes(new byte[] {4, 5});
        // fmt 2: delta 33
        in.writeByte(0x86).writeMedium(33).writeBytes(new byte[] {6, 7});
        // fmt 3 starting a new message: repeats the last delta (33)
        in.writeByte(0xC6).writeBytes(new byte[] {8, 9});
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder());
        ch.writeInbound(in);
        assertSameMessage(6, 9, 1, 1000, new byte[] {1, 2, 3}, ch.readInbound());
        assertSameMessage(6, 9, 1, 1040, new byte[] {4, 5}, ch.readInbound());
        assertSameMessage(6, 9, 1, 1073, new byte[] {6, 7}, ch.readInbound());
        assertSameMessage(6, 9, 1, 1106, new byte[] {8, 9}, ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void extendedTimestampOnContinuationChunksWithAndWithoutTheRepeat() {
        byte[] payload = bytes(200, 3);
        long ts = 0x01020304L;
        for (boolean repeated : new boolean[] {true, false}) {
            ByteBuf in = Unpooled.buffer();
            in.writeByte(0x06).writeMedium(0xFFFFFF).writeMedium(200).writeByte(9).writeIntLE(1).writeInt((int) ts);
            in.writeBytes(payload, 0, 128);
            in.writeByte(0xC6);
            if (repeated) {
                in.writeInt((int) ts); // what ffmpeg, OBS and the 2012 spec do
            }
            in.writeBytes(payload, 128, 72);
            EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder());
            for (int i = 0; i < in.readableBytes(); i++) {
                ch.writeInbound(in.retainedSlice(i, 1));
            }
            in.release();
            assertSameMessage(6, 9, 1, ts, payload, ch.readInbound());
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void inboundSetChunkSizeAppliesFromTheNextChunk() {
        byte[] big = bytes(5000, 9);
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        encoder.writeOutbound(ProtocolControl.setChunkSize(encoder.alloc(), 4096));
        encoder.writeOutbound(message(6, 9, 1, 0, big));
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; b.release()) {
            wire.writeBytes(b);
        }
        encoder.finishAndReleaseAll();
        // 5000 bytes at chunk size 4096: two chunks; the Set Chunk Size message itself is 12 + 4 bytes.
        assertEquals(16 + 12 + 4096 + 1 + 904, wire.readableBytes());
        EmbeddedChannel decoder = new EmbeddedChannel(new ChunkDecoder());
        decoder.writeInbound(wire);
        RtmpMessage setChunk = decoder.readInbound();
        assertEquals(MessageType.SET_CHUNK_SIZE, setChunk.typeId());
        setChunk.release();
        assertEquals(4096, decoder.pipeline().get(ChunkDecoder.class).chunkSize());
        assertSameMessage(6, 9, 1, 0, big, decoder.readInbound());
        assertFalse(decoder.finishAndReleaseAll());
    }

    @Test
    void abortDropsTheHalfReceivedMessage() {
        byte[] payload = bytes(300, 4);
        ByteBuf in = Unpooled.buffer();
        in.writeByte(0x06).writeMedium(0).writeMedium(300).writeByte(9).writeIntLE(1).writeBytes(payload, 0, 128);
        in.writeByte(0x02).writeMedium(0).writeMedium(4).writeByte(MessageType.ABORT).writeIntLE(0).writeInt(6);
        // Chunk stream 6 starts over with a complete small message.
        in.writeByte(0x46).writeMedium(10).writeMedium(2).writeByte(9).writeBytes(new byte[] {7, 7});
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder());
        ch.writeInbound(in);
        RtmpMessage abort = ch.readInbound();
        assertEquals(MessageType.ABORT, abort.typeId());
        abort.release();
        assertSameMessage(6, 9, 1, 10, new byte[] {7, 7}, ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aggregateMessageIsSplitIntoItsTags() {
        ByteBuf agg = Unpooled.buffer();
        // Two FLV tags: video at tag time 5000, audio at 5020; the aggregate says 100.
        agg.writeByte(9).writeMedium(3).writeMedium(5000).writeByte(0).writeMedium(0).writeBytes(new byte[] {0x17, 1, 2});
        agg.writeInt(14);
        agg.writeByte(8).writeMedium(2).writeMedium(5020).writeByte(0).writeMedium(0).writeBytes(new byte[] {(byte) 0xAF, 1});
        agg.writeInt(13);
        byte[] body = ByteBufUtil.getBytes(agg);
        agg.release();
        List<RtmpMessage> decoded = decode(encode(List.of(message(6, MessageType.AGGREGATE, 1, 100, body))), 5);
        assertEquals(2, decoded.size());
        assertSameMessage(6, 9, 1, 100, new byte[] {0x17, 1, 2}, decoded.get(0));
        assertSameMessage(6, 8, 1, 120, new byte[] {(byte) 0xAF, 1}, decoded.get(1));
    }

    @Test
    void oversizedMessageIsRefusedBeforeAllocating() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(new ChunkLimits(65536, 1024, 8)));
        ByteBuf in = Unpooled.buffer().writeByte(0x06).writeMedium(0).writeMedium(1025).writeByte(9).writeIntLE(1);
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(in));
        assertTrue(e.getMessage().contains("exceeds the limit of 1024"), e.getMessage());
        ch.finishAndReleaseAll();
    }

    @Test
    void tooManyChunkStreamsAreRefused() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(new ChunkLimits(65536, 1024, 4)));
        ByteBuf in = Unpooled.buffer();
        for (int csid = 3; csid < 8; csid++) {
            in.writeByte(csid).writeMedium(0).writeMedium(1).writeByte(8).writeIntLE(1).writeByte(0);
        }
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(in));
        assertTrue(e.getMessage().contains("more than 4 chunk streams"), e.getMessage());
        ch.finishAndReleaseAll();
    }

    @Test
    void invalidChunkSizeAndHeaderlessStreamsAreRefused() {
        EmbeddedChannel zero = new EmbeddedChannel(new ChunkDecoder());
        ByteBuf setZero = Unpooled.buffer().writeByte(0x02).writeMedium(0).writeMedium(4).writeByte(1).writeIntLE(0).writeInt(0);
        assertThrows(DecoderException.class, () -> zero.writeInbound(setZero));
        zero.finishAndReleaseAll();

        EmbeddedChannel orphan = new EmbeddedChannel(new ChunkDecoder());
        ByteBuf type3First = Unpooled.buffer().writeByte(0xC5).writeByte(0);
        DecoderException e = assertThrows(DecoderException.class, () -> orphan.writeInbound(type3First));
        assertTrue(e.getMessage().contains("starts with a type 3 header"), e.getMessage());
        orphan.finishAndReleaseAll();
    }

    @Test
    void partialMessageIsReleasedWhenTheConnectionCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder());
        ByteBuf in = Unpooled.buffer().writeByte(0x06).writeMedium(0).writeMedium(1000).writeByte(9).writeIntLE(1);
        in.writeBytes(new byte[128]);
        ch.writeInbound(in);
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
        // The leak check extension fails the run if the 1000-byte partial buffer was not released.
    }
}
