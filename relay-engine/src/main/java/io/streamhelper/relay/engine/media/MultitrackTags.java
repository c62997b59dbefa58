package io.streamhelper.relay.engine.media;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the enhanced-RTMP v2 multitrack forms of an FLV audio or video tag body: which tracks it
 * carries, each track's codec and packet type, and where each track's payload lies in the buffer.
 * Absolute indexes only, nothing copied or changed; what the tag says comes from strangers, so a
 * tag that does not add up gives a {@link Parsed#malformed} result, never an exception.
 *
 * <p>The forms (video; audio alike with its own packet types): byte 0 is IsExHeader, frame type
 * and packet type 6 Multitrack; byte 1 is the multitrack type (high nibble: 0 OneTrack,
 * 1 ManyTracks, 2 ManyTracksManyCodecs) and the tracks' packet type (low nibble); then the FourCC,
 * unless each track names its own; then per track its FourCC (ManyTracksManyCodecs only), its
 * track id (one byte) and, unless OneTrack, its payload size (three bytes). A tag that is not
 * multitrack is track 0 as a whole.
 */
public final class MultitrackTags {
    public static final int ONE_TRACK = 0;
    public static final int MANY_TRACKS = 1;
    public static final int MANY_TRACKS_MANY_CODECS = 2;
    /** Hard limit: a tag claiming more tracks than this is not believed. */
    static final int MAX_TRACKS = 16;

    private MultitrackTags() {
    }

    /** One track inside a multitrack tag: its payload is {@code tag.slice(payloadIndex, payloadLength)}. */
    public record Track(int trackId, int packetType, String codec, int payloadIndex, int payloadLength) {
    }

    /**
     * What a tag body says about its tracks. For a tag that is not multitrack, {@link #multitrack}
     * is false and {@link #tracks} is empty: it is track 0 in its own (legacy or single-track
     * enhanced) framing.
     */
    public record Parsed(boolean multitrack, int frameType, int multitrackType, List<Track> tracks, String problem) {
        static final Parsed SINGLE = new Parsed(false, 0, -1, List.of(), null);

        static Parsed malformed(String problem) {
            return new Parsed(true, 0, -1, List.of(), problem);
        }

        /** A multitrack tag that could not be read: it belongs to no track and is forwarded to none. */
        public boolean isMalformed() {
            return problem != null;
        }

        /** The track with this id, or null if the tag does not carry it. */
        public Track track(int trackId) {
            for (Track t : tracks) {
                if (t.trackId() == trackId) {
                    return t;
                }
            }
            return null;
        }

        /** Whether this tag carries (part of) the given track: a tag that is not multitrack is track 0. */
        public boolean carries(int trackId) {
            return multitrack ? track(trackId) != null : trackId == 0;
        }
    }

    /** Whether the tag is an enhanced-RTMP multitrack audio or video tag. Cheap: two nibbles. */
    public static boolean isMultitrack(MediaKind kind, ByteBuf tag) {
        if (!tag.isReadable()) {
            return false;
        }
        int first = tag.getUnsignedByte(tag.readerIndex());
        return switch (kind) {
            case VIDEO -> (first & 0x80) != 0 && (first & 0x0F) == FlvTags.VIDEO_PACKET_MULTITRACK;
            case AUDIO -> (first >> 4) == FlvTags.AUDIO_FORMAT_EX_HEADER && (first & 0x0F) == FlvTags.AUDIO_PACKET_MULTITRACK;
            default -> false;
        };
    }

    /** Whether the tag carries track 0: every tag that is not multitrack, and multitrack tags that list track 0. */
    public static boolean carriesPrimary(MediaKind kind, ByteBuf tag) {
        return !isMultitrack(kind, tag) || parse(kind, tag).carries(0);
    }

    public static Parsed parse(MediaKind kind, ByteBuf tag) {
        if (!isMultitrack(kind, tag)) {
            return Parsed.SINGLE;
        }
        int index = tag.readerIndex();
        int end = tag.writerIndex();
        int first = tag.getUnsignedByte(index);
        int frameType = kind == MediaKind.VIDEO ? (first >> 4) & 0x07 : 0;
        if (end - index < 2) {
            return Parsed.malformed("multitrack tag ends before its multitrack type");
        }
        int second = tag.getUnsignedByte(index + 1);
        int multitrackType = second >> 4;
        int packetType = second & 0x0F;
        if (multitrackType > MANY_TRACKS_MANY_CODECS) {
            return Parsed.malformed("unknown multitrack type " + multitrackType);
        }
        int at = index + 2;
        String sharedCodec = null;
        if (multitrackType != MANY_TRACKS_MANY_CODECS) {
            if (end - at < 4) {
                return Parsed.malformed("multitrack tag ends inside its FourCC");
            }
            sharedCodec = FlvTags.fourCc(tag, at);
            at += 4;
        }
        List<Track> tracks = new ArrayList<>(multitrackType == ONE_TRACK ? 1 : 2);
        do {
            String codec = sharedCodec;
            if (multitrackType == MANY_TRACKS_MANY_CODECS) {
                if (end - at < 4) {
                    return Parsed.malformed("track " + tracks.size() + " ends inside its FourCC");
                }
                codec = FlvTags.fourCc(tag, at);
                at += 4;
            }
            if (end - at < 1) {
                return Parsed.malformed("track " + tracks.size() + " ends before its track id");
            }
            int trackId = tag.getUnsignedByte(at++);
            int length;
            if (multitrackType == ONE_TRACK) {
                length = end - at;
            } else {
                if (end - at < 3) {
                    return Parsed.malformed("track " + trackId + " ends inside its size");
                }
                length = tag.getUnsignedMedium(at);
                at += 3;
                if (length > end - at) {
                    return Parsed.malformed("track " + trackId + " claims " + length + " bytes, " + (end - at) + " left");
                }
            }
            for (Track seen : tracks) {
                if (seen.trackId() == trackId) {
                    return Parsed.malformed("track " + trackId + " appears twice");
                }
            }
            if (tracks.size() == MAX_TRACKS) {
                return Parsed.malformed("more than " + MAX_TRACKS + " tracks");
            }
            tracks.add(new Track(trackId, packetType, codec, at, length));
            at += length;
        } while (multitrackType != ONE_TRACK && at < end);
        return new Parsed(true, frameType, multitrackType, Collections.unmodifiableList(tracks), null);
    }
}
