package io.streamhelper.relay.catalog.service;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The platforms a destination can be, with the ingest each gets when the user gives no URL: the
 * platform's RTMPS endpoint where it has one (keys then cross the internet encrypted). A user's
 * {@code rtmpUrl} overrides it, e.g. for a regional ingest or Kick's per-account URL.
 */
public enum Platform {
    /** Twitch documents plain RTMP ingest ({@code rtmp://<ingest>/app}); a regional URL may override it. */
    TWITCH("Twitch", "rtmp://live.twitch.tv/app", false),
    YOUTUBE("YouTube", "rtmps://a.rtmps.youtube.com:443/live2", false),
    /** Facebook Live takes RTMPS only; a plain rtmp:// URL is refused when it is set. */
    FACEBOOK("Facebook", "rtmps://live-api-s.facebook.com:443/rtmp", true),
    /** Kick shows each streamer their ingest URL; this is the shared one its documentation gives. */
    KICK("Kick", "rtmps://fa723fc1b171.global-contribute.live-video.net/app", false),
    CUSTOM("Custom", null, false);

    private final String label;
    private final String defaultUrl;
    private final boolean rtmpsOnly;

    Platform(String label, String defaultUrl, boolean rtmpsOnly) {
        this.label = label;
        this.defaultUrl = defaultUrl;
        this.rtmpsOnly = rtmpsOnly;
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
