package io.streamhelper.relay.engine.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrackSelectionTest {
    private static final TrackSelection SECOND = new TrackSelection(1, 1);

    private static MediaMessage video(String capture) {
        return new MediaMessage(MediaKind.VIDEO, 1234, Captures.tag(capture));
    }

    private static MediaMessage audio(String capture) {
        return new MediaMessage(MediaKind.AUDIO, 1234, Captures.tag(capture));
    }

    private static byte[] concat(byte[] header, byte[] capture, int from) {
        byte[] payload = Arrays.copyOfRange(capture, from, capture.length);
        byte[] all = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, all, header.length, payload.length);
        return all;
    }

    @Test
    void theDefaultPassesTrackZeroAsItIsAndDropsTheOtherTracks() {
        MediaMessage legacy = video("video-track0-keyframe.bin");
        assertSame(legacy, TrackSelection.DEFAULT.select(legacy));
        legacy.release();
        MediaMessage second = video("video-track1-keyframe.bin");
        assertNull(TrackSelection.DEFAULT.select(second));
        assertEquals(0, second.refCnt(), "the other track's tag is released");
        MediaMessage secondAudio = audio("audio-track1-frame.bin");
        assertNull(TrackSelection.DEFAULT.select(secondAudio));
        assertEquals(0, secondAudio.refCnt());
        MediaMessage metadata = new MediaMessage(MediaKind.METADATA, 0, Unpooled.wrappedBuffer(new byte[] {2}));
        assertSame(metadata, SECOND.select(metadata), "metadata goes to every track's destinations");
        metadata.release();
    }

    @Test
    void trackOneSequenceStartBecomesALegacyAvcSequenceHeader() {
        byte[] capture = Captures.bytes("video-track1-sequence-start.bin");
        MediaMessage out = SECOND.select(video("video-track1-sequence-start.bin"));
        try {
            assertArrayEquals(concat(new byte[] {0x17, 0, 0, 0, 0}, capture, 7), ByteBufUtil.getBytes(out.content()));
            assertTrue(out.isSequenceHeader());
            assertFalse(MultitrackTags.isMultitrack(MediaKind.VIDEO, out.content()));
            assertEquals(1234, out.timestamp());
            assertNull(out.fanOutScope());
        } finally {
            out.release();
        }
    }

    @Test
    void trackOneFramesBecomeLegacyAvcFramesWithoutCopyingThePayload() {
        byte[] key = Captures.bytes("video-track1-keyframe.bin");
        MediaMessage original = video("video-track1-keyframe.bin");
        ByteBuf payloadMemory = original.content();
        MediaMessage out = SECOND.select(original);
        try {
            // CodedFramesX has no composition time; the legacy form wants one: zero.
            assertArrayEquals(concat(new byte[] {0x17, 1, 0, 0, 0}, key, 7), ByteBufUtil.getBytes(out.content()));
            assertTrue(out.isVideoKeyframe());
            assertTrue(FlvTags.isVideoFrame(out.content()));
            CompositeByteBuf composite = (CompositeByteBuf) out.content();
            assertEquals(2, composite.numComponents(), "a small header and the payload");
            assertEquals(5, composite.component(0).readableBytes());
            assertSame(payloadMemory.unwrap() == null ? payloadMemory : payloadMemory.unwrap(),
                    composite.component(1).unwrap(), "the payload is a slice of the publisher's buffer, not a copy");
            assertEquals(1, payloadMemory.refCnt(), "the slice holds the publisher's buffer; the original message let go of it");
        } finally {
            out.release();
        }
        assertEquals(0, payloadMemory.refCnt());

        MediaMessage inter = SECOND.select(video("video-track1-interframe.bin"));
        assertEquals(0x27, inter.content().getUnsignedByte(0));
        assertFalse(inter.isVideoKeyframe());
        inter.release();
    }

    @Test
    void codedFramesKeepTheirCompositionTimeAndOtherCodecsStayEnhanced() {
        // ManyTracks, CodedFrames (composition time first in the payload), avc1 on tracks 0 and 1
        ByteBuf tag = Unpooled.buffer().writeByte(0xA6).writeByte(0x11).writeBytes(ascii("avc1"))
                .writeByte(0).writeMedium(4).writeMedium(0x000021).writeByte(0x41)
                .writeByte(1).writeMedium(4).writeMedium(0x000042).writeByte(0x42);
        MediaMessage track1 = SECOND.select(new MediaMessage(MediaKind.VIDEO, 5, tag.retain()));
        assertArrayEquals(new byte[] {0x27, 1, 0, 0, 0x42, 0x42}, ByteBufUtil.getBytes(track1.content()));
        track1.release();
        MediaMessage track0 = TrackSelection.DEFAULT.select(new MediaMessage(MediaKind.VIDEO, 5, tag));
        assertArrayEquals(new byte[] {0x27, 1, 0, 0, 0x21, 0x41}, ByteBufUtil.getBytes(track0.content()),
                "a multitrack tag that carries track 0 is re-framed for it too");
        track0.release();

        ByteBuf hevc = Unpooled.buffer().writeByte(0x96).writeByte(0x20)
                .writeBytes(ascii("avc1")).writeByte(0).writeMedium(1).writeByte(7)
                .writeBytes(ascii("hvc1")).writeByte(1).writeMedium(2).writeShort(0x0102);
        MediaMessage out = SECOND.select(new MediaMessage(MediaKind.VIDEO, 5, hevc));
        assertArrayEquals(new byte[] {(byte) 0x90, 'h', 'v', 'c', '1', 1, 2}, ByteBufUtil.getBytes(out.content()));
        assertTrue(out.isSequenceHeader());
        assertEquals("hvc1", FlvTags.videoCodec(out.content()));
        out.release();
    }

    @Test
    void audioTrackOneBecomesLegacyAac() {
        byte[] config = Captures.bytes("audio-track1-sequence-start.bin");
        MediaMessage header = SECOND.select(audio("audio-track1-sequence-start.bin"));
        assertArrayEquals(concat(new byte[] {(byte) 0xAF, 0}, config, 7), ByteBufUtil.getBytes(header.content()));
        assertTrue(header.isSequenceHeader());
        header.release();
        byte[] frame = Captures.bytes("audio-track1-frame.bin");
        MediaMessage out = SECOND.select(audio("audio-track1-frame.bin"));
        assertArrayEquals(concat(new byte[] {(byte) 0xAF, 1}, frame, 7), ByteBufUtil.getBytes(out.content()));
        out.release();
        MediaMessage multichannel = SECOND.select(audio("audio-track1-multichannel-config.bin"));
        assertEquals(0x94, multichannel.content().getUnsignedByte(0), "no legacy form: single-track enhanced");
        assertEquals("mp4a", FlvTags.audioCodec(multichannel.content()));
        multichannel.release();
    }

    @Test
    void malformedAndAbsentTracksAreDroppedAndReleased() {
        MediaMessage lying = new MediaMessage(MediaKind.VIDEO, 0, Unpooled.buffer().writeByte(0xA6).writeByte(0x11)
                .writeBytes(ascii("avc1")).writeByte(1).writeMedium(99).writeByte(1));
        assertNull(SECOND.select(lying));
        assertEquals(0, lying.refCnt());
        MediaMessage legacy = video("video-track0-interframe.bin");
        assertNull(new TrackSelection(2, 0).select(legacy), "a stream without track 2 sends a track-2 destination no video");
        assertEquals(0, legacy.refCnt());
        assertThrows(IllegalArgumentException.class, () -> new TrackSelection(256, 0));
        assertThrows(IllegalArgumentException.class, () -> new TrackSelection(0, -1));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
