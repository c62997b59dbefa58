package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.engine.destination.CodecRules;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The platforms a destination can be, with the ingest each gets when the user gives no URL: the
 * platform's RTMPS endpoint where it has one (keys then cross the internet encrypted). A user's
 * {@code rtmpUrl} overrides it, e.g. for a regional ingest or Kick's per-account URL.
 *
 * <p>Each preset also knows the codecs it takes (FourCCs), since the relay cannot transcode: video
 * from OBS's service list ({@code plugins/rtmp-services/data/services.json}, "supported video
 * codecs": YouTube - RTMPS h264, hevc, av1; Twitch h264; Facebook Live h264; Kick is not listed
 * and is Amazon IVS, H.264 only per its documentation), audio AAC for every preset (the platforms'
 * ingest guides; see docs/rtmp.md). A custom destination takes any codec unless restricted.
 */
public enum Platform {
    /** Twitch documents plain RTMP ingest ({@code rtmp://<ingest>/app}); a regional URL may override it. */
    TWITCH("Twitch", "rtmp://live.twitch.tv/app", false, List.of("avc1")),
    YOUTUBE("YouTube", "rtmps://a.rtmps.youtube.com:443/live2", false, List.of("avc1", "hvc1", "av01")),
    /** Facebook Live takes RTMPS only; a plain rtmp:// URL is refused when it is set. */
    FACEBOOK("Facebook", "rtmps://live-api-s.facebook.com:443/rtmp", true, List.of("avc1")),
    /** Kick shows each streamer their ingest URL; this is the shared one its documentation gives. */
    KICK("Kick", "rtmps://fa723fc1b171.global-contribute.live-video.net/app", false, List.of("avc1")),
    CUSTOM("Custom", null, false, List.of());

    /** The audio every preset takes. */
    private static final List<String> PRESET_AUDIO = List.of("mp4a");

    private final String label;
    private final String defaultUrl;
    private final boolean rtmpsOnly;
    private final List<String> videoCodecs;

    Platform(String label, String defaultUrl, boolean rtmpsOnly, List<String> videoCodecs) {
        this.label = label;
        this.defaultUrl = defaultUrl;
        this.rtmpsOnly = rtmpsOnly;
        this.videoCodecs = videoCodecs;
    }

    /** The video FourCCs the platform takes; empty: any (custom). */
    public List<String> videoCodecs() {
        return videoCodecs;
    }

    /** The audio FourCCs the platform takes; empty: any (custom). */
    public List<String> audioCodecs() {
        return this == CUSTOM ? List.of() : PRESET_AUDIO;
    }

    /**
     * What a destination of this platform takes: the platform's codecs, or the video codecs the
     * user restricted it to (already checked to be among the platform's).
     */
    public CodecRules codecRules(List<String> videoRestriction) {
        String who = this == CUSTOM ? "This destination" : label;
        return new CodecRules(who, videoRestriction.isEmpty() ? videoCodecs : videoRestriction, audioCodecs());
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The platform's name as people write it: "YouTube". */
    public String label() {
        return label;
    }

    /** What a destination is called when the user names it nothing: "YouTube Stream". */
    public String defaultDisplayName() {
        return label + " Stream";
    }

    public Optional<String> defaultUrl() {
        return Optional.ofNullable(defaultUrl);
    }

    public boolean rtmpsOnly() {
        return rtmpsOnly;
    }

    public static Optional<Platform> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
    }

    public static String wireNames() {
        return Arrays.stream(values()).map(Platform::wireName).collect(Collectors.joining(", "));
    }
}
