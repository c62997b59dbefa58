package io.streamhelper.relay.engine.stream;

import io.streamhelper.relay.engine.media.FlvTags;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.media.MultitrackTags;
import io.streamhelper.relay.engine.media.TrackSelection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codecs a stream is in, as its destinations decide on them: the FourCCs of its video and
 * audio, whether each came in the enhanced-RTMP form, and whether they are <em>settled</em>:
 * encoders send every sequence header before their first frame, so at the first coded video frame
 * (or after {@link #AUDIO_ONLY_AFTER_MILLIS} of audio frames and no video tag at all) the codecs
 * are known. Watchers hear when they become settled and, after that, each change (a continuing
 * publisher's sequence header in another codec). Owned by its {@link LiveStream} and touched on its
 * executor only; fed every tag before the tag is fanned out, so a watcher that stops sending to a
 * destination does so before the tag in the new codec reaches it.
 *
 * <p>A multitrack publish (enhanced RTMP v2) has a codec per track: {@link #video()} and
 * {@link #audio()} are track 0's, {@link #video(int)} and {@link #audio(int)} any track's, so a
 * destination is judged by the track it is sent ({@link TrackSelection}), not by track 0.
 */
public final class StreamCodecs {
    private static final Logger log = LoggerFactory.getLogger(StreamCodecs.class);
    /** Audio frames for this long (media time) and no video tag: the stream has no video. */
    static final long AUDIO_ONLY_AFTER_MILLIS = 1000;

    /** Told on the stream's executor; must not throw (a throw is logged and ignored). */
    public interface Watcher {
        void codecsChanged(StreamCodecs codecs);
    }

    private final String streamId;
    private String video = "none";
    private boolean videoEnhanced;
    private String audio = "none";
    private boolean audioEnhanced;
    private boolean videoSeen;
    private long firstAudioFrameAt = -1;
    private boolean settled;
    /** The codecs of tracks other than 0, by track id; at most {@link #MAX_OTHER_TRACKS} of each kind. */
    private final Map<Integer, String> otherVideo = new HashMap<>();
    private final Map<Integer, String> otherAudio = new HashMap<>();
    static final int MAX_OTHER_TRACKS = 16;
    private Watcher[] watchers = new Watcher[0];

    StreamCodecs(String streamId) {
        this.streamId = streamId;
    }

    /** The video FourCC ({@code avc1}, {@code hvc1}, {@code av01}, ...), {@code none} while no video was seen. */
    public String video() {
        return video;
    }

    /** The audio FourCC ({@code mp4a}, {@code Opus}, ...), {@code none} while no audio was seen. */
    public String audio() {
        return audio;
    }

    /** The codec of this video track, {@code none} while the publisher has sent none of it. */
    public String video(int track) {
        return track == 0 ? video : otherVideo.getOrDefault(track, "none");
    }

    /** The codec of this audio track, {@code none} while the publisher has sent none of it. */
    public String audio(int track) {
        return track == 0 ? audio : otherAudio.getOrDefault(track, "none");
    }

    /** Whether the codecs are known (see the class comment); they may still change afterwards. */
    public boolean settled() {
        return settled;
    }

    /**
     * The FourCCs to announce to a destination in connect's {@code fourCcList}: the codecs that
     * came in the enhanced-RTMP form (a legacy H.264/AAC stream announces nothing, as before).
     */
    public List<String> enhancedFourCcs() {
        List<String> list = new ArrayList<>(2);
        if (videoEnhanced && !"none".equals(video)) {
            list.add(video);
        }
        if (audioEnhanced && !"none".equals(audio)) {
            list.add(audio);
        }
        return List.copyOf(list);
    }

    /**
     * The FourCCs to announce to a destination sent these tracks: those it receives in the
     * enhanced form. Track 0 as {@link #enhancedFourCcs()}; another track is re-framed by
     * {@link TrackSelection} as legacy AVC or AAC when it is H.264 or AAC, enhanced otherwise.
     */
    public List<String> enhancedFourCcs(TrackSelection tracks) {
        if (tracks.isDefault()) {
            return enhancedFourCcs();
        }
        List<String> list = new ArrayList<>(2);
        String v = video(tracks.videoTrack());
        boolean vEnhanced = tracks.videoTrack() == 0 ? videoEnhanced : !"avc1".equals(v);
        if (vEnhanced && !"none".equals(v)) {
            list.add(v);
        }
        String a = audio(tracks.audioTrack());
        boolean aEnhanced = tracks.audioTrack() == 0 ? audioEnhanced : !"mp4a".equals(a);
        if (aEnhanced && !"none".equals(a)) {
            list.add(a);
        }
        return List.copyOf(list);
    }

    public void watch(Watcher watcher) {
        watchers = Arrays.copyOf(watchers, watchers.length + 1);
        watchers[watchers.length - 1] = watcher;
    }

    public void unwatch(Watcher watcher) {
        watchers = Arrays.stream(watchers).filter(w -> w != watcher).toArray(Watcher[]::new);
    }

    /** One tag from the publisher, already on the stream's timeline. */
    void seen(MediaMessage message) {
        boolean changed = false;
        boolean wasSettled = settled;
        if ((message.kind() == MediaKind.VIDEO || message.kind() == MediaKind.AUDIO)
                && MultitrackTags.isMultitrack(message.kind(), message.content())) {
            changed = seenMultitrack(message);
        } else if (message.kind() == MediaKind.VIDEO) {
            videoSeen = true;
            boolean header = message.isSequenceHeader();
            boolean picture = !header && !message.isCodecConfig() && FlvTags.isVideoFrame(message.content());
            // A codec with no sequence header (Sorenson, VP6) is known from its frames.
            if (header || ("none".equals(video) && picture)) {
                changed = setVideo(FlvTags.videoCodec(message.content()), FlvTags.isExVideoHeader(message.content()));
            }
            if (picture) {
                settled = true;
            }
        } else if (message.kind() == MediaKind.AUDIO) {
            boolean header = message.isSequenceHeader();
            if (header || "none".equals(audio)) {
                changed = setAudio(FlvTags.audioCodec(message.content()), isExAudio(message));
            }
            if (!header && !message.isCodecConfig()) {
                audioFrame(message.timestamp());
            }
        }
        if (settled && (!wasSettled || changed)) {
            log.info("event=stream_codecs stream={} video={} audio={} settled_now={}", streamId, video, audio, !wasSettled);
            for (Watcher watcher : watchers) {
                try {
                    watcher.codecsChanged(this);
                } catch (RuntimeException e) {
                    log.warn("event=codec_watcher_failed stream={} error=\"{}\"", streamId, e.toString());
                }
            }
        }
    }

    /** An audio frame (not a header): a second of them with no video settles an audio-only stream. */
    private void audioFrame(long timestamp) {
        if (firstAudioFrameAt < 0) {
            firstAudioFrameAt = timestamp;
        } else if (!videoSeen && timestamp - firstAudioFrameAt >= AUDIO_ONLY_AFTER_MILLIS) {
            settled = true;
        }
    }

    /**
     * A multitrack tag: each track it carries gets its codec (track 0 the stream's own fields, in
     * the form a destination gets it re-framed: legacy for H.264 and AAC); a video frame of any
     * track settles the codecs, as an ordinary one does.
     */
    private boolean seenMultitrack(MediaMessage message) {
        MediaKind kind = message.kind();
        MultitrackTags.Parsed parsed = MultitrackTags.parse(kind, message.content());
        boolean changed = false;
        for (MultitrackTags.Track track : parsed.tracks()) {
            String codec = track.codec();
            boolean header = track.packetType() == 0; // SequenceStart, for video and audio alike
            boolean config = track.packetType() == 4; // video Metadata, audio MultichannelConfig
            if (kind == MediaKind.VIDEO) {
                videoSeen = true;
                boolean picture = !header && !config && (track.packetType() == 1 || track.packetType() == 3);
                if (track.trackId() == 0) {
                    if (header || ("none".equals(video) && picture)) {
                        changed |= setVideo(codec, !"avc1".equals(codec));
                    }
                } else if (header || picture) {
                    changed |= putOther(otherVideo, track.trackId(), codec);
                }
                if (picture) {
                    settled = true;
                }
            } else if (track.trackId() == 0) {
                if (header || "none".equals(audio)) {
                    changed |= setAudio(codec, !"mp4a".equals(codec));
                }
            } else {
                changed |= putOther(otherAudio, track.trackId(), codec);
            }
        }
        if (kind == MediaKind.AUDIO && parsed.tracks().stream().anyMatch(t -> t.packetType() == 1)) {
            audioFrame(message.timestamp()); // CodedFrames: an audio-only stream in the multitrack form settles too
        }
        return changed;
    }

    private static boolean putOther(Map<Integer, String> tracks, int trackId, String codec) {
        if (!tracks.containsKey(trackId) && tracks.size() >= MAX_OTHER_TRACKS) {
            return false; // a publisher claiming more tracks is not believed
        }
        return !codec.equals(tracks.put(trackId, codec));
    }

    private boolean setVideo(String codec, boolean enhanced) {
        boolean changed = !codec.equals(video);
        video = codec;
        videoEnhanced = enhanced;
        return changed;
    }

    private boolean setAudio(String codec, boolean enhanced) {
        boolean changed = !codec.equals(audio);
        audio = codec;
        audioEnhanced = enhanced;
        return changed;
    }

    private static boolean isExAudio(MediaMessage message) {
        return message.content().isReadable()
                && message.content().getUnsignedByte(message.content().readerIndex()) >> 4 == 9;
    }
}
