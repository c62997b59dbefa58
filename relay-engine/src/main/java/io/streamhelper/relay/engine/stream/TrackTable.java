package io.streamhelper.relay.engine.stream;

import io.netty.buffer.ByteBuf;
import io.streamhelper.relay.engine.media.FlvTags;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.media.MultitrackTags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audio and video tracks of one live stream, for a multitrack publish (enhanced RTMP v2):
 * what each carries, and the sequence headers of the tracks other than track 0, which the stream
 * keeps beside its own (track 0's) so that a destination that chose another track can start
 * decoding when it joins. Track 0 is what a publisher sends in ordinary tags; it stays the
 * stream's own business ({@link LiveStream}'s headers, frame count and GOP). Touched on the
 * stream's executor, except {@link #snapshot}, which any thread may read.
 */
final class TrackTable {
    /**
     * Hard limit: the stream remembers at most this many tracks of each kind, track 0 among them
     * (always admitted); a publisher claiming more is not believed.
     */
    static final int MAX_TRACKS = 16;
    /**
     * Hard limit on one cached header: real sequence starts and configuration packets are tens of
     * bytes to a few KiB (ffmpeg 8.1's HEVC sequence start: 2.4 KB), while a chunk message may be
     * 8 MiB. With {@link #MAX_TRACKS} this bounds what a publisher can make the stream hold for
     * joiners to about 3 MiB.
     */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Map<Long, Entry> tracks = new LinkedHashMap<>();
    /** The other tracks' sequence headers and codec configuration, in their multitrack framing, by kind, track and packet type. */
    private final Map<Long, MediaMessage> headers = new LinkedHashMap<>();
    private volatile List<Entry> published = List.of();
    /** The configuration packet type (video Metadata, audio MultichannelConfig) in both kinds. */
    private static final int CONFIG_PACKET = 4;

    /** One track's counters: written on the executor, read by stats from any thread. */
    static final class Entry {
        final MediaKind kind;
        final int trackId;
        volatile String codec = "none";
        volatile long bytes;
        volatile long frames;
        volatile int width;
        volatile int height;
        final RateMeter rate = new RateMeter();

        Entry(MediaKind kind, int trackId) {
            this.kind = kind;
            this.trackId = trackId;
        }
    }

    /**
     * Sees every audio and video tag. Returns whether the tag carries track 0 (every tag that is
     * not multitrack does); a multitrack tag that does not is the other tracks' alone, and one
     * that cannot be read belongs to no track.
     */
    boolean offer(MediaMessage message) {
        MediaKind kind = message.kind();
        if (kind != MediaKind.VIDEO && kind != MediaKind.AUDIO) {
            return true;
        }
        ByteBuf tag = message.content();
        MultitrackTags.Parsed parsed = MultitrackTags.parse(kind, tag);
        if (!parsed.multitrack()) {
            Entry primary = entry(kind, 0);
            if (primary != null) {
                primary.bytes += tag.readableBytes();
                if (message.isSequenceHeader()) {
                    primary.codec = kind == MediaKind.VIDEO ? FlvTags.videoCodec(tag) : FlvTags.audioCodec(tag);
                } else if (kind == MediaKind.AUDIO && "none".equals(primary.codec)) {
                    primary.codec = FlvTags.audioCodec(tag);
                } else if (kind == MediaKind.VIDEO && FlvTags.isVideoFrame(tag)) {
                    primary.frames++;
                }
            }
            return true;
        }
        boolean header = message.isHeader(); // sequence starts and codec configuration (Metadata, MultichannelConfig)
        for (MultitrackTags.Track track : parsed.tracks()) {
            Entry entry = entry(kind, track.trackId());
            if (entry == null) {
                continue;
            }
            entry.codec = track.codec();
            entry.bytes += track.payloadLength();
            if (header) {
                if (kind == MediaKind.VIDEO && "avc1".equals(track.codec()) && track.packetType() == 0) {
                    int[] size = AvcSize.read(tag, track.payloadIndex(), track.payloadLength());
                    if (size != null) {
                        entry.width = size[0];
                        entry.height = size[1];
                    }
                }
            } else if (kind == MediaKind.VIDEO && FlvTags.isVideoFrame(tag)) {
                entry.frames++;
            }
        }
        boolean carriesPrimary = parsed.carries(0);
        if (header && !carriesPrimary && !parsed.tracks().isEmpty()) {
            keepHeader(kind, parsed.tracks().get(0), message);
        }
        return carriesPrimary;
    }

    /**
     * Keeps a header of a track the table admitted, under its size limit. A new sequence start
     * drops the track's configuration packet (video Metadata, audio MultichannelConfig), which
     * described the old one, as LiveStream does for track 0.
     */
    private void keepHeader(MediaKind kind, MultitrackTags.Track track, MediaMessage message) {
        if (!tracks.containsKey(key(kind, track.trackId(), 0)) || message.content().readableBytes() > MAX_HEADER_BYTES) {
            return;
        }
        if (track.packetType() != CONFIG_PACKET) {
            release(headers.remove(key(kind, track.trackId(), CONFIG_PACKET)));
        }
        release(headers.put(key(kind, track.trackId(), track.packetType()), message.retainedDuplicate()));
    }

    private static void release(MediaMessage message) {
        if (message != null) {
            message.release();
        }
    }

    /** The other tracks' sequence headers, retained for the caller, in the order they first came. */
    List<MediaMessage> retainedHeaders() {
        List<MediaMessage> out = new ArrayList<>(headers.size());
        for (MediaMessage m : headers.values()) {
            out.add(m.retainedDuplicate());
        }
        return out;
    }

    /**
     * The tracks seen so far, with their bitrates now; track 0's size comes from the publisher's
     * onMetaData (its sequence header is not parsed). Any thread.
     */
    List<StreamTrack> snapshot(VideoFormat announced) {
        List<StreamTrack> out = new ArrayList<>();
        for (Entry e : published) {
            boolean primaryVideo = e.kind == MediaKind.VIDEO && e.trackId == 0;
            int width = primaryVideo && e.width == 0 ? announced.width() : e.width;
            int height = primaryVideo && e.height == 0 ? announced.height() : e.height;
            out.add(new StreamTrack(e.kind == MediaKind.VIDEO ? "video" : "audio", e.trackId, e.codec, width, height,
                    e.rate.kbps(e.bytes)));
        }
        return out;
    }

    /** Whether the publisher has sent this track (any tag of it). Any thread. */
    boolean has(MediaKind kind, int trackId) {
        for (Entry e : published) {
            if (e.kind == kind && e.trackId == trackId) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        headers.values().forEach(MediaMessage::release);
        headers.clear();
    }

    /**
     * A new publisher continues the stream: what the old one sent on tracks other than 0 (their
     * headers, their being there at all) is no longer true until the new one sends them. Track 0
     * stays: its headers are compared across publishers elsewhere.
     */
    void forgetOtherTracks() {
        clear();
        if (tracks.keySet().removeIf(key -> trackOf(key) != 0)) {
            published = List.copyOf(tracks.values());
        }
    }

    private Entry entry(MediaKind kind, int trackId) {
        long key = key(kind, trackId, 0);
        Entry entry = tracks.get(key);
        if (entry == null) {
            if (trackId != 0 && count(kind) >= MAX_TRACKS - 1 + (tracks.containsKey(key(kind, 0, 0)) ? 1 : 0)) {
                return null; // the kind's track 0 always keeps its place
            }
            entry = new Entry(kind, trackId);
            tracks.put(key, entry);
            published = List.copyOf(tracks.values());
        }
        return entry;
    }

    private int count(MediaKind kind) {
        int n = 0;
        for (Entry e : tracks.values()) {
            if (e.kind == kind) {
                n++;
            }
        }
        return n;
    }

    private static int trackOf(long key) {
        return (int) (key >> 8) & 0xFF;
    }

    private static long key(MediaKind kind, int trackId, int packetType) {
        return (long) kind.ordinal() << 16 | (long) trackId << 8 | packetType;
    }
}
