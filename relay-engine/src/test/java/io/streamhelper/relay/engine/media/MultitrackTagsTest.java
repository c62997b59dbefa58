package io.streamhelper.relay.engine.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MultitrackTagsTest {

    @Test
    void legacyTagsFromTheCaptureAreTrackZeroAndNotMultitrack() {
        for (String name : new String[] {"video-track0-sequence-start.bin", "video-track0-keyframe.bin", "video-track0-interframe.bin"}) {
            ByteBuf tag = Captures.tag(name);
            MultitrackTags.Parsed parsed = MultitrackTags.parse(MediaKind.VIDEO, tag);
            assertFalse(parsed.multitrack(), name);
            assertTrue(parsed.carries(0) && !parsed.carries(1), name);
            assertTrue(MultitrackTags.carriesPrimary(MediaKind.VIDEO, tag), name);
            tag.release();
        }
        ByteBuf audio = Captures.tag("audio-track0-frame.bin");
        assertFalse(MultitrackTags.isMultitrack(MediaKind.AUDIO, audio));
        audio.release();
    }

    @Test
    void oneTrackVideoSequenceStartFromFfmpeg() {
        ByteBuf tag = Captures.tag("video-track1-sequence-start.bin");
        MultitrackTags.Parsed parsed = MultitrackTags.parse(MediaKind.VIDEO, tag);
        assertTrue(parsed.multitrack());
        assertFalse(parsed.isMalformed());
        assertEquals(MultitrackTags.ONE_TRACK, parsed.multitrackType());
        assertEquals(1, parsed.frameType());
        assertEquals(1, parsed.tracks().size());
        MultitrackTags.Track track = parsed.track(1);
        assertNotNull(track);
        assertEquals(0, track.packetType(), "SequenceStart");
        assertEquals("avc1", track.codec());
        // 0x96, multitrack byte, 'avc1', track id: the AVCDecoderConfigurationRecord follows
        assertEquals(7, track.payloadIndex());
        assertEquals(tag.readableBytes() - 7, track.payloadLength());
        assertEquals(1, tag.getByte(track.payloadIndex()), "configurationVersion 1 of the AVC record");
        assertFalse(MultitrackTags.carriesPrimary(MediaKind.VIDEO, tag));
        assertTrue(FlvTags.isVideoSequenceHeader(tag));
        tag.release();
    }

    @Test
    void oneTrackVideoFramesFromFfmpeg() {
        ByteBuf key = Captures.tag("video-track1-keyframe.bin");
        ByteBuf inter = Captures.tag("video-track1-interframe.bin");
        MultitrackTags.Parsed k = MultitrackTags.parse(MediaKind.VIDEO, key);
        MultitrackTags.Parsed i = MultitrackTags.parse(MediaKind.VIDEO, inter);
        assertEquals(1, k.frameType());
        assertEquals(2, i.frameType());
        assertEquals(3, k.track(1).packetType(), "CodedFramesX: no composition time");
        assertEquals(3, i.track(1).packetType());
        assertEquals(key.readableBytes() - 7, k.track(1).payloadLength());
        // the payload is AVCC NAL units: a 4-byte length, then the NAL
        int firstNal = key.getInt(k.track(1).payloadIndex());
        assertTrue(firstNal > 0 && firstNal < key.readableBytes(), "a NAL length, not a header byte: " + firstNal);
        key.release();
        inter.release();
    }

    @Test
    void oneTrackAudioFromFfmpeg() {
        String[] names = {"audio-track1-sequence-start.bin", "audio-track1-multichannel-config.bin", "audio-track1-frame.bin"};
        int[] packetTypes = {0, 4, 1};
        for (int n = 0; n < names.length; n++) {
            ByteBuf tag = Captures.tag(names[n]);
            MultitrackTags.Parsed parsed = MultitrackTags.parse(MediaKind.AUDIO, tag);
            assertTrue(parsed.multitrack(), names[n]);
            MultitrackTags.Track track = parsed.track(1);
            assertEquals("mp4a", track.codec(), names[n]);
            assertEquals(packetTypes[n], track.packetType(), names[n]);
            assertEquals(7, track.payloadIndex(), names[n]);
            assertEquals(tag.readableBytes() - 7, track.payloadLength(), names[n]);
            assertNull(parsed.track(0));
            tag.release();
        }
        ByteBuf legacyConfig = Captures.tag("audio-track0-sequence-start.bin");
        ByteBuf config = Captures.tag("audio-track1-sequence-start.bin");
        // the same AudioSpecificConfig in both framings
        assertEquals(ByteBufUtil.hexDump(legacyConfig, 2, legacyConfig.readableBytes() - 2),
                ByteBufUtil.hexDump(config, 7, config.readableBytes() - 7));
        legacyConfig.release();
        config.release();
    }

    @Test
    void manyTracksOneCodec() {
        // 0xA6: ex-header, inter frame, Multitrack; 0x11: ManyTracks, CodedFrames; 'hvc1'; then id, UI24 size, payload
        ByteBuf tag = Unpooled.buffer().writeByte(0xA6).writeByte(0x11).writeBytes(ascii("hvc1"))
                .writeByte(0).writeMedium(3).writeBytes(new byte[] {0, 0, 0})
                .writeByte(2).writeMedium(5).writeBytes(new byte[] {0, 0, 0, 9, 9});
        MultitrackTags.Parsed parsed = MultitrackTags.parse(MediaKind.VIDEO, tag);
        assertEquals(MultitrackTags.MANY_TRACKS, parsed.multitrackType());
        assertEquals(2, parsed.tracks().size());
        assertEquals(new MultitrackTags.Track(0, 1, "hvc1", 10, 3), parsed.track(0));
        assertEquals(new MultitrackTags.Track(2, 1, "hvc1", 17, 5), parsed.track(2));
        assertTrue(parsed.carries(0) && parsed.carries(2) && !parsed.carries(1));
        assertTrue(MultitrackTags.carriesPrimary(MediaKind.VIDEO, tag));
        tag.release();
    }

    @Test
    void manyTracksManyCodecs() {
        // 0x96: keyframe, Multitrack; 0x20: ManyTracksManyCodecs, SequenceStart; per track FourCC, id, size, payload
        ByteBuf tag = Unpooled.buffer().writeByte(0x96).writeByte(0x20)
                .writeBytes(ascii("avc1")).writeByte(0).writeMedium(2).writeBytes(new byte[] {1, 2})
                .writeBytes(ascii("av01")).writeByte(1).writeMedium(1).writeBytes(new byte[] {3});
        MultitrackTags.Parsed parsed = MultitrackTags.parse(MediaKind.VIDEO, tag);
        assertFalse(parsed.isMalformed(), parsed.problem());
        assertEquals(new MultitrackTags.Track(0, 0, "avc1", 10, 2), parsed.track(0));
        assertEquals(new MultitrackTags.Track(1, 0, "av01", 20, 1), parsed.track(1));
        tag.release();

        ByteBuf audio = Unpooled.buffer().writeByte(0x95).writeByte(0x21)
                .writeBytes(ascii("Opus")).writeByte(0).writeMedium(1).writeByte(7)
                .writeBytes(ascii("mp4a")).writeByte(3).writeMedium(2).writeShort(0x0102);
        MultitrackTags.Parsed a = MultitrackTags.parse(MediaKind.AUDIO, audio);
        assertEquals("Opus", a.track(0).codec());
        assertEquals(new MultitrackTags.Track(3, 1, "mp4a", 19, 2), a.track(3));
        audio.release();
    }

    @Test
    void readsFromTheReaderIndexAndLeavesTheBufferAlone() {
        byte[] capture = Captures.bytes("video-track1-sequence-start.bin");
        ByteBuf tag = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(capture);
        tag.readerIndex(3);
        MultitrackTags.Track track = MultitrackTags.parse(MediaKind.VIDEO, tag).track(1);
        assertEquals(10, track.payloadIndex());
        assertEquals(3, tag.readerIndex());
        assertArrayEquals(Arrays.copyOfRange(capture, 7, capture.length), ByteBufUtil.getBytes(tag, track.payloadIndex(), track.payloadLength()));
        tag.release();
    }

    @Test
    void everyTruncationOfEveryFormIsAClearResultNotAnException() {
        ByteBuf many = Unpooled.buffer().writeByte(0x96).writeByte(0x20)
                .writeBytes(ascii("avc1")).writeByte(0).writeMedium(2).writeBytes(new byte[] {1, 2})
                .writeBytes(ascii("av01")).writeByte(1).writeMedium(1).writeBytes(new byte[] {3});
        ByteBuf one = Captures.tag("video-track1-sequence-start.bin");
        for (ByteBuf whole : new ByteBuf[] {many, one}) {
            for (int length = 1; length < whole.readableBytes(); length++) {
                ByteBuf cut = whole.slice(0, length);
                MultitrackTags.Parsed parsed = MultitrackTags.parse(MediaKind.VIDEO, cut);
                assertTrue(parsed.multitrack());
                // Either a clear problem, or tracks that lie inside what is there.
                if (parsed.isMalformed()) {
                    assertTrue(parsed.tracks().isEmpty());
                    assertNotNull(parsed.problem());
                } else {
                    for (MultitrackTags.Track t : parsed.tracks()) {
                        assertTrue(t.payloadIndex() + t.payloadLength() <= length, "track inside the tag at length " + length);
                    }
                }
            }
        }
        assertTrue(MultitrackTags.parse(MediaKind.VIDEO, many.slice(0, 8)).problem().contains("size"));
        many.release();
        one.release();
    }

    @Test
    void lyingSizesDuplicateIdsAndUnknownTypesAreMalformed() {
        ByteBuf tooLong = Unpooled.buffer().writeByte(0xA6).writeByte(0x11).writeBytes(ascii("avc1"))
                .writeByte(0).writeMedium(0xFFFFFF).writeByte(1);
        ByteBuf twice = Unpooled.buffer().writeByte(0xA6).writeByte(0x11).writeBytes(ascii("avc1"))
                .writeByte(1).writeMedium(1).writeByte(1).writeByte(1).writeMedium(1).writeByte(1);
        ByteBuf unknownType = Unpooled.buffer().writeByte(0xA6).writeByte(0x31).writeBytes(ascii("avc1")).writeByte(1);
        ByteBuf manyZeroSized = Unpooled.buffer().writeByte(0xA6).writeByte(0x11).writeBytes(ascii("avc1"));
        for (int id = 0; id < 40; id++) {
            manyZeroSized.writeByte(id).writeMedium(0);
        }
        try {
            assertTrue(MultitrackTags.parse(MediaKind.VIDEO, tooLong).problem().contains("claims"));
            assertTrue(MultitrackTags.parse(MediaKind.VIDEO, twice).problem().contains("twice"));
            assertTrue(MultitrackTags.parse(MediaKind.VIDEO, unknownType).problem().contains("unknown multitrack type"));
            assertTrue(MultitrackTags.parse(MediaKind.VIDEO, manyZeroSized).problem().contains("more than"));
            assertFalse(MultitrackTags.carriesPrimary(MediaKind.VIDEO, tooLong), "a tag that cannot be read carries no track");
        } finally {
            tooLong.release();
            twice.release();
            unknownType.release();
            manyZeroSized.release();
        }
    }

    @Test
    void emptyAndNonMediaTagsAreNotMultitrack() {
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        assertFalse(MultitrackTags.parse(MediaKind.VIDEO, empty).multitrack());
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {(byte) 0x96, 0});
        assertFalse(MultitrackTags.isMultitrack(MediaKind.METADATA, data));
        assertFalse(MultitrackTags.isMultitrack(MediaKind.AUDIO, data), "0x96 is not an audio ex-header multitrack");
        data.release();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
