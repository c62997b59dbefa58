package io.streamhelper.relay.engine.media;

import io.netty.buffer.ByteBuf;

/**
 * Reads just enough of an FLV audio or video tag body to recognise keyframes, sequence headers
 * and codecs, in both the legacy form (codec id in the low nibble) and the enhanced-RTMP
 * ex-header form (bit 7 set, packet type in the low nibble, then a FourCC). Payloads stay opaque:
 * nothing here copies or modifies them, and every method looks at absolute indexes only.
 *
 * <p>Without the ex-header forms a relay never recognises HEVC or AV1 sequence headers, and late
 * joiners get a stream they cannot decode (the reason nginx-rtmp's push breaks with HEVC).
 */
public final class FlvTags {
    static final int VIDEO_FRAME_KEY = 1;
    static final int VIDEO_FRAME_COMMAND = 5;
    static final int CODEC_AVC = 7;
    /** Not in the FLV spec, but widely used for HEVC by pre-enhanced-RTMP Chinese servers and encoders. */
    static final int CODEC_HEVC_LEGACY = 12;
    static final int AUDIO_FORMAT_AAC = 10;
    static final int AUDIO_FORMAT_EX_HEADER = 9;

    // Enhanced RTMP packet types (video).
    static final int VIDEO_PACKET_SEQUENCE_START = 0;
    static final int VIDEO_PACKET_SEQUENCE_END = 2;
    static final int VIDEO_PACKET_METADATA = 4;
    static final int VIDEO_PACKET_MPEG2TS_SEQUENCE_START = 5;
    static final int AVC_END_OF_SEQUENCE = 2;
    static final int VIDEO_PACKET_MULTITRACK = 6;
    static final int VIDEO_PACKET_MOD_EX = 7;
    // Enhanced RTMP packet types (audio).
    static final int AUDIO_PACKET_SEQUENCE_START = 0;
    static final int AUDIO_PACKET_MULTICHANNEL_CONFIG = 4;
    static final int AUDIO_PACKET_MULTITRACK = 5;

    private FlvTags() {
    }

    public static boolean isExVideoHeader(ByteBuf tag) {
        return tag.isReadable() && (tag.getByte(tag.readerIndex()) & 0x80) != 0;
    }

    public static int videoFrameType(ByteBuf tag) {
        if (!tag.isReadable()) {
            return 0;
        }
        int b = tag.getUnsignedByte(tag.readerIndex());
        return isExVideoHeader(tag) ? (b >> 4) & 0x07 : b >> 4;
    }

    /**
     * A keyframe picture. An end of sequence (ffmpeg's AVC {@code 0x17 02}, enhanced SequenceEnd)
     * carries the keyframe bits too, but no picture: a GOP started there gives a joiner nothing
     * to decode until the next real keyframe.
     */
    public static boolean isVideoKeyframe(ByteBuf tag) {
        return videoFrameType(tag) == VIDEO_FRAME_KEY && isVideoFrame(tag);
    }

    public static boolean isVideoSequenceHeader(ByteBuf tag) {
        if (tag.readableBytes() < 2) {
            return false;
        }
        int first = tag.getUnsignedByte(tag.readerIndex());
        if (isExVideoHeader(tag)) {
            int packetType = exVideoPacketType(tag);
            return packetType == VIDEO_PACKET_SEQUENCE_START || packetType == VIDEO_PACKET_MPEG2TS_SEQUENCE_START;
        }
        int codec = first & 0x0F;
        boolean avcLike = codec == CODEC_AVC || codec == CODEC_HEVC_LEGACY;
        return avcLike && (first >> 4) == VIDEO_FRAME_KEY && tag.getByte(tag.readerIndex() + 1) == 0;
    }

    /**
     * The packet type of an ex-header video tag; for a multitrack tag the packet type of the
     * tracks it carries (the high nibble of the next byte is the multitrack type).
     */
    static int exVideoPacketType(ByteBuf tag) {
        int index = tag.readerIndex();
        int packetType = tag.getByte(index) & 0x0F;
        if (packetType == VIDEO_PACKET_MULTITRACK && tag.readableBytes() >= 2) {
            return tag.getByte(index + 1) & 0x0F;
        }
        return packetType;
    }

    /**
     * Whether the tag carries a picture: not a sequence header, not an end-of-sequence marker
     * (AVC packet type 2, which ffmpeg writes when it stops; enhanced RTMP's SequenceEnd) and not
     * a command frame.
     */
    public static boolean isVideoFrame(ByteBuf tag) {
        if (tag.readableBytes() < 2 || isVideoSequenceHeader(tag) || isVideoCommandFrame(tag)) {
            return false;
        }
        int index = tag.readerIndex();
        if (isExVideoHeader(tag)) {
            int packetType = exVideoPacketType(tag);
            return packetType != VIDEO_PACKET_SEQUENCE_END && packetType != VIDEO_PACKET_METADATA;
        }
        int codec = tag.getByte(index) & 0x0F;
        boolean avcLike = codec == CODEC_AVC || codec == CODEC_HEVC_LEGACY;
        return !(avcLike && tag.getByte(index + 1) == AVC_END_OF_SEQUENCE);
    }

    /**
     * Enhanced RTMP's video Metadata packet (packet type 4): AMF values ({@code colorInfo}: HDR
     * colour primaries, transfer, mastering display) for the pictures after it. ffmpeg 8.1 writes
     * one after every HEVC and AV1 sequence start, with frame type 5 (0xd4). It belongs with the
     * sequence start: a destination that misses it shows HDR video with the wrong colours.
     */
    public static boolean isVideoMetadata(ByteBuf tag) {
        return tag.readableBytes() >= 2 && isExVideoHeader(tag) && exVideoPacketType(tag) == VIDEO_PACKET_METADATA;
    }

    /**
     * Enhanced RTMP's audio MultichannelConfig packet (packet type 4): channel order and layout,
     * which ffmpeg 8.1 sends right after the Opus sequence start. Like the video Metadata packet,
     * a setting for what follows, not a sample.
     */
    public static boolean isAudioMultichannelConfig(ByteBuf tag) {
        return audioExPacketType(tag) == AUDIO_PACKET_MULTICHANNEL_CONFIG;
    }

    /** The packet type of an ex-header audio tag (of the tracks, for a multitrack one); -1 for any other tag. */
    private static int audioExPacketType(ByteBuf tag) {
        if (tag.readableBytes() < 2) {
            return -1;
        }
        int index = tag.readerIndex();
        int first = tag.getUnsignedByte(index);
        if (first >> 4 != AUDIO_FORMAT_EX_HEADER) {
            return -1;
        }
        int packetType = first & 0x0F;
        return packetType == AUDIO_PACKET_MULTITRACK ? tag.getByte(index + 1) & 0x0F : packetType;
    }

    /** A command frame (enhanced RTMP's video info/command) carries no picture. */
    public static boolean isVideoCommandFrame(ByteBuf tag) {
        return videoFrameType(tag) == VIDEO_FRAME_COMMAND;
    }

    /**
     * AAC's AudioSpecificConfig, or an ex-header SequenceStart (Opus: the OpusHead). Not the
     * MultichannelConfig that ffmpeg 8.1 sends after it: cached in the sequence start's place, it
     * would leave a joiner without the OpusHead.
     */
    public static boolean isAudioSequenceHeader(ByteBuf tag) {
        if (tag.readableBytes() < 2) {
            return false;
        }
        int index = tag.readerIndex();
        if (tag.getUnsignedByte(index) >> 4 == AUDIO_FORMAT_AAC) {
            return tag.getByte(index + 1) == 0;
        }
        return audioExPacketType(tag) == AUDIO_PACKET_SEQUENCE_START;
    }

    /** A short codec name for stats and logs: "avc1", "hvc1", "av01", "vp09", or "flv:N". */
    public static String videoCodec(ByteBuf tag) {
        if (!tag.isReadable()) {
            return "none";
        }
        int index = tag.readerIndex();
        if (isExVideoHeader(tag)) {
            int fourCcAt = index + 1;
            int packetType = tag.getByte(index) & 0x0F;
            if (packetType == VIDEO_PACKET_MULTITRACK) {
                fourCcAt++;
            }
            return tag.readableBytes() >= fourCcAt - index + 4 ? fourCc(tag, fourCcAt) : "unknown";
        }
        int codec = tag.getByte(index) & 0x0F;
        return switch (codec) {
            case CODEC_AVC -> "avc1";
            case CODEC_HEVC_LEGACY -> "hvc1";
            default -> "flv:" + codec;
        };
    }

    /** A short codec name for stats and logs: "mp4a", "opus", "mp3", or "flv:N". */
    public static String audioCodec(ByteBuf tag) {
        if (!tag.isReadable()) {
            return "none";
        }
        int index = tag.readerIndex();
        int format = tag.getUnsignedByte(index) >> 4;
        if (format == AUDIO_FORMAT_EX_HEADER) {
            int fourCcAt = index + 1;
            if ((tag.getByte(index) & 0x0F) == AUDIO_PACKET_MULTITRACK) {
                fourCcAt++;
            }
            return tag.readableBytes() >= fourCcAt - index + 4 ? fourCc(tag, fourCcAt) : "unknown";
        }
        return switch (format) {
            case AUDIO_FORMAT_AAC -> "mp4a";
            case 2 -> "mp3";
            default -> "flv:" + format;
        };
    }

    /** The FourCC at an absolute index, non-printable bytes as '?' (it goes into logs and JSON). */
    static String fourCc(ByteBuf tag, int at) {
        char[] chars = new char[4];
        for (int i = 0; i < 4; i++) {
            int c = tag.getUnsignedByte(at + i);
            chars[i] = c >= 0x20 && c < 0x7F ? (char) c : '?';
        }
        return new String(chars);
    }
}
