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

    public static boolean isVideoKeyframe(ByteBuf tag) {
        return videoFrameType(tag) == VIDEO_FRAME_KEY && !isVideoSequenceHeader(tag);
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
            return exVideoPacketType(tag) != VIDEO_PACKET_SEQUENCE_END;
        }
        int codec = tag.getByte(index) & 0x0F;
        boolean avcLike = codec == CODEC_AVC || codec == CODEC_HEVC_LEGACY;
        return !(avcLike && tag.getByte(index + 1) == AVC_END_OF_SEQUENCE);
    }

    /** A command frame (enhanced RTMP's video info/command) carries no picture. */
    public static boolean isVideoCommandFrame(ByteBuf tag) {
        return videoFrameType(tag) == VIDEO_FRAME_COMMAND;
    }

    public static boolean isAudioSequenceHeader(ByteBuf tag) {
        if (tag.readableBytes() < 2) {
            return false;
        }
        int index = tag.readerIndex();
        int first = tag.getUnsignedByte(index);
        int format = first >> 4;
        if (format == AUDIO_FORMAT_AAC) {
            return tag.getByte(index + 1) == 0;
        }
        if (format == AUDIO_FORMAT_EX_HEADER) {
            int packetType = first & 0x0F;
            if (packetType == AUDIO_PACKET_MULTITRACK) {
                packetType = tag.getByte(index + 1) & 0x0F;
            }
            return packetType == AUDIO_PACKET_SEQUENCE_START || packetType == AUDIO_PACKET_MULTICHANNEL_CONFIG;
        }
        return false;
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

    private static String fourCc(ByteBuf tag, int at) {
        char[] chars = new char[4];
        for (int i = 0; i < 4; i++) {
            int c = tag.getUnsignedByte(at + i);
            chars[i] = c >= 0x20 && c < 0x7F ? (char) c : '?';
        }
        return new String(chars);
    }
}
