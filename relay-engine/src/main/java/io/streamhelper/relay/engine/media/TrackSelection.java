package io.streamhelper.relay.engine.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;

/**
 * Which video and audio track of a multitrack stream one destination is sent, and the re-framing
 * that makes that track an ordinary single-track stream: a destination gets one picture, in the
 * framing every server reads, never the interleaved tracks it cannot tell apart.
 *
 * <p>A tag that is not multitrack is track 0. A multitrack tag is reduced to the chosen track: a
 * new header of a few bytes (the legacy AVC or AAC form for {@code avc1} and {@code mp4a}, the
 * single-track enhanced form for other codecs) ahead of a retained slice of that track's payload,
 * in a composite buffer; the payload is never copied. Tags of other tracks, and multitrack tags
 * that cannot be read, are not forwarded.
 */
public record TrackSelection(int videoTrack, int audioTrack) {
    public static final TrackSelection DEFAULT = new TrackSelection(0, 0);
    /** Track ids are one byte on the wire. */
    public static final int MAX_TRACK_ID = 255;

    private static final int CODEC_AVC = 7;
    private static final int AAC_HEADER = 0xAF; // AAC, 44 kHz, 16 bit, stereo: what every AAC tag says
    private static final int CODED_FRAMES = 1;
    private static final int CODED_FRAMES_X = 3;

    public TrackSelection {
        if (videoTrack < 0 || videoTrack > MAX_TRACK_ID || audioTrack < 0 || audioTrack > MAX_TRACK_ID) {
            throw new IllegalArgumentException("track ids are 0.." + MAX_TRACK_ID);
        }
    }

    public boolean isDefault() {
        return videoTrack == 0 && audioTrack == 0;
    }

    /**
     * This destination's form of the tag. Takes ownership of the message: returns it as it is
     * (a tag of the chosen track in single-track framing, or not audio/video), a re-framed
     * message in its place (the original released), or null when the destination gets nothing of
     * it (released).
     */
    public MediaMessage select(MediaMessage message) {
        MediaKind kind = message.kind();
        if (kind != MediaKind.VIDEO && kind != MediaKind.AUDIO) {
            return message;
        }
        int wanted = kind == MediaKind.VIDEO ? videoTrack : audioTrack;
        ByteBuf tag = message.content();
        if (!MultitrackTags.isMultitrack(kind, tag)) {
            if (wanted == 0) {
                return message;
            }
            message.release();
            return null;
        }
        MultitrackTags.Parsed parsed = MultitrackTags.parse(kind, tag);
        MultitrackTags.Track track = parsed.track(wanted);
        if (track == null) {
            message.release();
            return null;
        }
        return reframe(message, kind, parsed.frameType(), track);
    }

    /** The track alone, in single-track framing, on the message's timestamp. Releases the message. */
    static MediaMessage reframe(MediaMessage message, MediaKind kind, int frameType, MultitrackTags.Track track) {
        ByteBuf tag = message.content();
        ByteBuf header = tag.alloc().buffer(5, 5);
        if (kind == MediaKind.VIDEO) {
            videoHeader(header, frameType, track);
        } else {
            audioHeader(header, track);
        }
        CompositeByteBuf out = tag.alloc().compositeBuffer(2);
        out.addComponent(true, header);
        out.addComponent(true, tag.retainedSlice(track.payloadIndex(), track.payloadLength()));
        long timestamp = message.timestamp();
        message.release();
        // No fan-out scope: its shared chunk framing is of the whole tag, which this is not.
        return new MediaMessage(kind, timestamp, out);
    }

    private static void videoHeader(ByteBuf header, int frameType, MultitrackTags.Track track) {
        int packetType = track.packetType();
        boolean legacy = "avc1".equals(track.codec()) && (packetType <= CODED_FRAMES_X);
        if (!legacy) {
            header.writeByte(0x80 | frameType << 4 | packetType);
            writeFourCc(header, track.codec());
            return;
        }
        header.writeByte(frameType << 4 | CODEC_AVC);
        switch (packetType) {
            // CodedFrames carry their composition time first, as the legacy AVC form does.
            case CODED_FRAMES -> header.writeByte(1);
            case CODED_FRAMES_X -> header.writeByte(1).writeMedium(0);
            default -> header.writeByte(packetType).writeMedium(0); // SequenceStart 0, SequenceEnd 2: the AVC packet types
        }
    }

    private static void audioHeader(ByteBuf header, MultitrackTags.Track track) {
        int packetType = track.packetType();
        if ("mp4a".equals(track.codec()) && packetType <= CODED_FRAMES) {
            header.writeByte(AAC_HEADER).writeByte(packetType); // SequenceStart 0, CodedFrames 1: the AAC packet types
            return;
        }
        header.writeByte(FlvTags.AUDIO_FORMAT_EX_HEADER << 4 | packetType);
        writeFourCc(header, track.codec());
    }

    private static void writeFourCc(ByteBuf header, String fourCc) {
        for (int i = 0; i < 4; i++) {
            header.writeByte(fourCc.charAt(i));
        }
    }
}
