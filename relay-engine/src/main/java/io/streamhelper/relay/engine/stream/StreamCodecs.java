package io.streamhelper.relay.engine.stream;

import io.streamhelper.relay.engine.media.FlvTags;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        if (message.kind() == MediaKind.VIDEO) {
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
                if (firstAudioFrameAt < 0) {
                    firstAudioFrameAt = message.timestamp();
                } else if (!videoSeen && message.timestamp() - firstAudioFrameAt >= AUDIO_ONLY_AFTER_MILLIS) {
                    settled = true;
                }
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
