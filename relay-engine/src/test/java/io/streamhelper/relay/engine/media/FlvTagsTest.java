package io.streamhelper.relay.engine.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FlvTagsTest {

    private static ByteBuf tag(int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return b;
    }

    private static ByteBuf exTag(int first, String fourCc) {
        return Unpooled.buffer().writeByte(first).writeBytes(fourCc.getBytes(StandardCharsets.US_ASCII)).writeByte(0);
    }

    @Test
    void legacyAvc() {
        ByteBuf header = tag(0x17, 0x00, 0, 0, 0);
        ByteBuf key = tag(0x17, 0x01, 0, 0, 0);
        ByteBuf inter = tag(0x27, 0x01, 0, 0, 0);
        try {
            assertTrue(FlvTags.isVideoSequenceHeader(header));
            assertFalse(FlvTags.isVideoKeyframe(header), "a sequence header is not a picture");
            assertTrue(FlvTags.isVideoKeyframe(key));
            assertFalse(FlvTags.isVideoSequenceHeader(key));
            assertFalse(FlvTags.isVideoKeyframe(inter));
            assertEquals("avc1", FlvTags.videoCodec(key));
            assertTrue(FlvTags.isVideoFrame(key) && FlvTags.isVideoFrame(inter));
            assertFalse(FlvTags.isVideoFrame(header));
            ByteBuf endOfSequence = tag(0x17, 0x02, 0, 0, 0);
            assertFalse(FlvTags.isVideoFrame(endOfSequence), "ffmpeg's end-of-sequence tag is no picture");
            endOfSequence.release();
        } finally {
            header.release();
            key.release();
            inter.release();
        }
    }

    @Test
    void enhancedRtmpHevcAndAv1() {
        // bit 7 ex-header, frame type 1 (key) in bits 6-4, packet type in the low nibble
        ByteBuf hevcStart = exTag(0x80 | 0x10 | 0, "hvc1");
        ByteBuf hevcKey = exTag(0x80 | 0x10 | 1, "hvc1");
        ByteBuf hevcKeyX = exTag(0x80 | 0x10 | 3, "hvc1");
        ByteBuf av1Inter = exTag(0x80 | 0x20 | 1, "av01");
        ByteBuf av1Ts = exTag(0x80 | 0x10 | 5, "av01");
        try {
            assertTrue(FlvTags.isVideoSequenceHeader(hevcStart));
            assertFalse(FlvTags.isVideoKeyframe(hevcStart));
            assertTrue(FlvTags.isVideoKeyframe(hevcKey));
            assertTrue(FlvTags.isVideoKeyframe(hevcKeyX), "CodedFramesX keyframes count too");
            assertFalse(FlvTags.isVideoKeyframe(av1Inter));
            assertTrue(FlvTags.isVideoSequenceHeader(av1Ts), "MPEG2TSSequenceStart is AV1's sequence header form");
            assertEquals("hvc1", FlvTags.videoCodec(hevcKey));
            assertEquals("av01", FlvTags.videoCodec(av1Inter));
        } finally {
            hevcStart.release();
            hevcKey.release();
            hevcKeyX.release();
            av1Inter.release();
            av1Ts.release();
        }
    }

    @Test
    void enhancedRtmpMultitrackSequenceStart() {
        // packet type 6 (multitrack); next byte: multitrack type 0 (one track) | inner packet type 0
        ByteBuf multi = Unpooled.buffer().writeByte(0x80 | 0x10 | 6).writeByte(0x00)
                .writeBytes("hvc1".getBytes(StandardCharsets.US_ASCII)).writeByte(0);
        try {
            assertTrue(FlvTags.isVideoSequenceHeader(multi));
            assertEquals("hvc1", FlvTags.videoCodec(multi));
        } finally {
            multi.release();
        }
    }

    @Test
    void audio() {
        ByteBuf aacHeader = tag(0xAF, 0x00, 0x12, 0x10);
        ByteBuf aacFrame = tag(0xAF, 0x01, 0x21);
        ByteBuf mp3 = tag(0x2F, 0xFF);
        ByteBuf opusStart = exTag(0x90, "Opus");
        ByteBuf opusFrame = exTag(0x91, "Opus");
        try {
            assertTrue(FlvTags.isAudioSequenceHeader(aacHeader));
            assertFalse(FlvTags.isAudioSequenceHeader(aacFrame));
            assertFalse(FlvTags.isAudioSequenceHeader(mp3));
            assertTrue(FlvTags.isAudioSequenceHeader(opusStart));
            assertFalse(FlvTags.isAudioSequenceHeader(opusFrame));
            assertEquals("mp4a", FlvTags.audioCodec(aacFrame));
            assertEquals("mp3", FlvTags.audioCodec(mp3));
            assertEquals("Opus", FlvTags.audioCodec(opusFrame));
        } finally {
            aacHeader.release();
            aacFrame.release();
            mp3.release();
            opusStart.release();
            opusFrame.release();
        }
    }

    @Test
    void emptyAndTruncatedTagsAreNeitherKeyframesNorHeaders() {
        ByteBuf empty = Unpooled.buffer();
        ByteBuf one = tag(0x17);
        try {
            assertFalse(FlvTags.isVideoKeyframe(empty));
            assertFalse(FlvTags.isVideoSequenceHeader(one));
            assertFalse(FlvTags.isAudioSequenceHeader(one));
            assertEquals("none", FlvTags.videoCodec(empty));
        } finally {
            empty.release();
            one.release();
        }
    }
}
