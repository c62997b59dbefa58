package io.streamhelper.relay.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One tag chunked once and written by many connections: each connection must still put exactly
 * the bytes a decoder reads back as the message it meant, whether the shared chunks fit its
 * framing state or not.
 */
class SharedChunksTest {
    private static final int VIDEO_CSID = 6;
    private final EmbeddedChannel connection = new EmbeddedChannel(new ChunkEncoder());

    @AfterEach
    void close() {
        assertFalse(connection.finishAndReleaseAll(), "everything written was read");
    }

    private static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static RtmpMessage video(long ts, byte[] payload) {
        return new RtmpMessage(VIDEO_CSID, MessageType.VIDEO, 1, ts, Unpooled.wrappedBuffer(payload));
    }

    private ChunkEncoder encoder() {
        return connection.pipeline().get(ChunkEncoder.class);
    }

    /** Chunks the message once, as the fan-out does, and writes it on this connection as a prechunked message. */
    private void writeShared(RtmpMessage message, long sharedDelta, int sharedChunkSize) {
        ByteBuf chunks = ChunkEncoder.chunkOnce(ByteBufAllocator.DEFAULT, message.chunkStreamId(), message.typeId(),
                sharedDelta, sharedChunkSize, message.content());
        connection.writeOutbound(new PrechunkedMessage(message, chunks, sharedDelta, sharedChunkSize));
    }

    private byte[] wire() {
        return ChunkWire.written(connection);
    }

    private static List<RtmpMessage> decode(byte[] wire, int fragment) {
        return ChunkWire.decode(wire, fragment);
    }

    private static void assertDecoded(List<RtmpMessage> decoded, long[] timestamps, byte[][] payloads) {
        try {
            assertEquals(timestamps.length, decoded.size(), "messages");
            for (int i = 0; i < timestamps.length; i++) {
                assertEquals(timestamps[i], decoded.get(i).timestamp(), "timestamp of message " + i);
                assertEquals(1, decoded.get(i).messageStreamId());
                assertArrayEquals(payloads[i], ByteBufUtil.getBytes(decoded.get(i).content()), "payload of message " + i);
            }
        } finally {
            decoded.forEach(RtmpMessage::release);
        }
    }

    @Test
    void fittingSharedChunksAreSentAsTheyAreAndDecodeToTheMessage() {
        connection.writeOutbound(ProtocolControl.setChunkSize(ByteBufAllocator.DEFAULT, 4096));
        byte[] first = bytes(5000, 1);
        byte[] second = bytes(9000, 2);
        connection.writeOutbound(video(1000, first));
        byte[] before = wire();
        writeShared(video(1033, second), 33, 4096);
        byte[] shared = wire();

        // A type-1 header (1 + 7 bytes) and two 1-byte continuation headers: no copy of its own.
        assertEquals(8 + 2 + second.length, shared.length);
        assertEquals(0x40 | VIDEO_CSID, shared[0] & 0xFF, "fmt 1 on the video chunk stream");
        assertEquals(0xC0 | VIDEO_CSID, shared[8 + 4096] & 0xFF, "fmt 3 continuation after one chunk");

        byte[] all = new byte[before.length + shared.length];
        System.arraycopy(before, 0, all, 0, before.length);
        System.arraycopy(shared, 0, all, before.length, shared.length);
        for (int fragment : new int[] {all.length, 1, 4097}) {
            List<RtmpMessage> decoded = decode(all, fragment);
            decoded.remove(0).release(); // the Set Chunk Size
            assertDecoded(decoded, new long[] {1000, 1033}, new byte[][] {first, second});
        }
    }

    @Test
    void aConnectionWhoseDeltaDiffersChunksTheMessageItself() {
        // This connection dropped a frame: its last video was 66 ms ago, not the 33 the others share.
        connection.writeOutbound(video(967, bytes(100, 1)));
        writeShared(video(1033, bytes(300, 2)), 33, 128);
        // And one that never sent video on this connection needs a full header.
        EmbeddedChannel fresh = new EmbeddedChannel(new ChunkEncoder());
        fresh.writeOutbound(new PrechunkedMessage(video(1033, bytes(300, 2)),
                ChunkEncoder.chunkOnce(ByteBufAllocator.DEFAULT, VIDEO_CSID, MessageType.VIDEO, 33, 128,
                        Unpooled.wrappedBuffer(bytes(300, 2))), 33, 128));
        ByteBuf freshWire = fresh.readOutbound();
        assertEquals(VIDEO_CSID, freshWire.getByte(freshWire.readerIndex()) & 0xFF, "fmt 0: a full header");
        List<RtmpMessage> freshDecoded = decode(ByteBufUtil.getBytes(freshWire), 1);
        freshWire.release();
        assertFalse(fresh.finishAndReleaseAll());
        assertDecoded(freshDecoded, new long[] {1033}, new byte[][] {bytes(300, 2)});

        assertDecoded(decode(wire(), 1), new long[] {967, 1033}, new byte[][] {bytes(100, 1), bytes(300, 2)});
    }

    @Test
    void sharedChunksOfAnotherChunkSizeAreNotUsed() {
        connection.writeOutbound(video(0, bytes(10, 1)));
        // Chunked for 4096-byte chunks, but this connection still uses the default 128.
        writeShared(video(40, bytes(1000, 2)), 40, 4096);
        assertDecoded(decode(wire(), 3), new long[] {0, 40}, new byte[][] {bytes(10, 1), bytes(1000, 2)});
    }

    @Test
    void theEncoderKeepsItsStateAcrossSharedChunksSoLaterMessagesStillDecode() {
        connection.writeOutbound(video(0, bytes(50, 1)));
        writeShared(video(33, bytes(50, 2)), 33, 128);
        // Same length and type as the shared one: the encoder may now use a type-2 header (delta only).
        connection.writeOutbound(video(66, bytes(50, 3)));
        assertDecoded(decode(wire(), 1), new long[] {0, 33, 66},
                new byte[][] {bytes(50, 1), bytes(50, 2), bytes(50, 3)});
    }

    @Test
    void deltaForAsksForAFullHeaderWhenTimeGoesBackOrTheStreamChanges() {
        connection.writeOutbound(video(1000, bytes(10, 1)));
        wire();
        assertEquals(33, encoder().deltaFor(VIDEO_CSID, 1, 1033));
        assertEquals(-1, encoder().deltaFor(VIDEO_CSID, 1, 999), "time went back");
        assertEquals(-1, encoder().deltaFor(VIDEO_CSID, 2, 1033), "another message stream");
        assertEquals(-1, encoder().deltaFor(4, 1, 1033), "nothing sent on that chunk stream yet");
        assertEquals(-1, encoder().deltaFor(VIDEO_CSID, 1, 1000 + 0xFFFFFF), "delta needs an extended timestamp");
        assertThrows(IllegalArgumentException.class, () -> ChunkEncoder.chunkOnce(ByteBufAllocator.DEFAULT,
                VIDEO_CSID, MessageType.VIDEO, 0xFFFFFF, 128, Unpooled.EMPTY_BUFFER));
    }
}
