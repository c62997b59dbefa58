package io.streamhelper.relay.engine.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FlvTags on tag bodies a real modern encoder wrote (ffmpeg 8.1, see the README beside the
 * captures): every enhanced-RTMP packet type it sends for HEVC, AV1 and Opus, and the legacy AVC
 * and AAC forms beside them. Each tag is asked every question, because the relay's caching and
 * keyframe waiting depend on exactly one of them being true.
 */
class FlvTagsCapturedTest {
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    private ByteBuf captured(String name) {
        String resource = "ffmpeg-8.1/" + name + ".bin";
        try (InputStream in = FlvTagsCapturedTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("no capture " + resource);
            }
            ByteBuf tag = Unpooled.wrappedBuffer(in.readAllBytes());
            buffers.add(tag);
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the relay concludes about a video tag, all at once, so a failure shows the whole picture. */
    private static String video(ByteBuf tag) {
        int reader = tag.readerIndex();
        String seen = "header=" + FlvTags.isVideoSequenceHeader(tag)
                + " metadata=" + FlvTags.isVideoMetadata(tag)
                + " frame=" + FlvTags.isVideoFrame(tag)
                + " key=" + FlvTags.isVideoKeyframe(tag)
                + " codec=" + FlvTags.videoCodec(tag);
        assertEquals(reader, tag.readerIndex(), "reading a tag moves none of its indexes");
        return seen;
    }

    private static String audio(ByteBuf tag) {
        return "header=" + FlvTags.isAudioSequenceHeader(tag)
                + " config=" + FlvTags.isAudioMultichannelConfig(tag)
                + " codec=" + FlvTags.audioCodec(tag);
    }

    @Test
    void hevcFromFfmpeg81() {
        assertEquals("header=true metadata=false frame=false key=false codec=hvc1", video(captured("hevc-aac/video-sequence-start")));
        assertEquals("header=false metadata=true frame=false key=false codec=hvc1", video(captured("hevc-aac/video-metadata")),
                "the Metadata packet (0xd4: frame type 5, packet type 4) is neither a header nor a picture");
        assertEquals("header=false metadata=true frame=false key=false codec=hvc1", video(captured("hevc-aac/video-metadata-hdr")));
        assertEquals("header=false metadata=false frame=true key=true codec=hvc1", video(captured("hevc-aac/video-keyframe")));
        assertEquals("header=false metadata=false frame=true key=false codec=hvc1", video(captured("hevc-aac/video-coded-frames")));
        assertEquals("header=false metadata=false frame=true key=false codec=hvc1", video(captured("hevc-aac/video-coded-frames-x")),
                "CodedFramesX (0xa3) is a picture");
        assertEquals("header=true config=false codec=mp4a", audio(captured("hevc-aac/audio-sequence-start")));
        assertEquals("header=false config=false codec=mp4a", audio(captured("hevc-aac/audio-frame")));
    }

    @Test
    void hdrColourTravelsInTheMetadataPacket() {
        String body = captured("hevc-aac/video-metadata-hdr").toString(StandardCharsets.ISO_8859_1);
        assertTrue(body.contains("colorInfo") && body.contains("transferCharacteristics"),
                "the capture is what the relay must pass on for HDR: " + body);
    }

    @Test
    void av1FromFfmpeg81() {
        assertEquals("header=true metadata=false frame=false key=false codec=av01", video(captured("av1-aac/video-sequence-start")));
        assertEquals("header=false metadata=true frame=false key=false codec=av01", video(captured("av1-aac/video-metadata")));
        assertEquals("header=false metadata=false frame=true key=true codec=av01", video(captured("av1-aac/video-keyframe")));
        assertEquals("header=false metadata=false frame=true key=false codec=av01", video(captured("av1-aac/video-coded-frames")));
    }

    @Test
    void opusAudioExHeaderFromFfmpeg81() {
        assertEquals("header=true config=false codec=Opus", audio(captured("h264-opus/audio-sequence-start")),
                "SequenceStart (0x90) carries the OpusHead");
        assertEquals("header=false config=true codec=Opus", audio(captured("h264-opus/audio-multichannel-config")),
                "MultichannelConfig (0x94) is kept apart from the OpusHead, not in its place");
        assertEquals("header=false config=false codec=Opus", audio(captured("h264-opus/audio-frame")));
    }

    @Test
    void legacyAvcBesideEnhancedAudio() {
        assertEquals("header=true metadata=false frame=false key=false codec=avc1", video(captured("h264-opus/video-sequence-start")));
        assertEquals("header=false metadata=false frame=true key=true codec=avc1", video(captured("h264-opus/video-keyframe")));
        assertEquals("header=false metadata=false frame=true key=false codec=avc1", video(captured("h264-opus/video-inter-frame")));
        assertEquals("header=false metadata=false frame=false key=false codec=avc1", video(captured("h264-opus/video-end-of-sequence")),
                "ffmpeg's end of sequence (0x17 02) carries keyframe bits but no picture: no GOP may start at it");
    }

    @Test
    void enhancedSequenceEndIsNoPicture() {
        // ffmpeg 8.1 writes none (see the README); the spec's form: ex-header, frame type 1, packet type 2.
        ByteBuf end = Unpooled.buffer().writeByte(0x80 | 0x10 | 2).writeBytes("hvc1".getBytes(StandardCharsets.US_ASCII));
        buffers.add(end);
        assertEquals("header=false metadata=false frame=false key=false codec=hvc1", video(end));
    }
}
