package io.streamhelper.relay.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What an OBS Studio 29 of a streamer would have set up, written as OBS's own files into an
 * isolated config directory ({@code XDG_CONFIG_HOME}): a custom RTMP service with a key, x264 CBR
 * with a fixed keyframe interval, AAC, OBS's own reconnect settings, and a scene whose picture
 * moves (a colour source under an ffmpeg lavfi test pattern with a tone, so audio is not silence).
 *
 * <p>The ini keys are the ones OBS 29.0 reads (UI/obs-app.cpp, UI/window-basic-main.cpp and
 * window-basic-main-outputs.cpp): {@code [General] FirstRun} and {@code LastVersion} keep away the
 * auto-configuration wizard, {@code [Output] Reconnect/RetryDelay/MaxRetries} are the "Automatically
 * reconnect" settings, {@code Mode=Advanced} makes the stream encoder read
 * {@code streamEncoder.json}.
 */
public final class ObsProfile {
    static final String NAME = "Relay";
    /** LIBOBS_API_VER of 29.0.2, (29 << 24) | (0 << 16) | 2: "this version has run here before". */
    private static final long LAST_VERSION = (29L << 24) | 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String server;
    private final String key;
    private int width = 640;
    private int height = 360;
    private int fps = 30;
    private int keyframeSeconds = 2;
    private int videoKbps = 1500;
    private int audioKbps = 128;
    private int retryDelaySeconds = 1;
    private int maxRetries = 20;
    private Path trustedCa;

    private ObsProfile(String server, String key) {
        this.server = server;
        this.key = key;
    }

    /** Streams to a "Custom..." service: {@code server} such as {@code rtmp://127.0.0.1:1935/live}, and the stream key. */
    public static ObsProfile customRtmp(String server, String key) {
        return new ObsProfile(server, key);
    }

    /** OBS's "Retry Delay" (at least 1 s in OBS 29; it grows 1.5 times per retry) and "Maximum Retries" (0: never). */
    public ObsProfile reconnect(int retryDelaySeconds, int maxRetries) {
        this.retryDelaySeconds = retryDelaySeconds;
        this.maxRetries = maxRetries;
        return this;
    }

    /**
     * For an {@code rtmps://} server with a test certificate: OBS's librtmp (mbedTLS) verifies the
     * server against every file in {@code /etc/ssl/certs/} on Linux (plugins/obs-outputs/librtmp/rtmp.c,
     * RTMP_TLS_LoadCerts, {@code mbedtls_x509_crt_parse_path}), with no setting to add one. {@link Obs}
     * then runs OBS in a mount namespace of its own in which a directory holding only this CA is
     * bind-mounted over /etc/ssl/certs: that OBS process trusts it, nothing else on the machine
     * sees it, and it goes when OBS exits. Needs root (CI's containers run as root) and unshare.
     */
    public ObsProfile trusting(Path caCertificatePem) {
        this.trustedCa = caCertificatePem;
        return this;
    }

    /** The CA OBS alone must trust, or null. */
    Path trustedCa() {
        return trustedCa;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Writes global.ini, the profile and the scene collection under {@code configHome}/obs-studio. */
    void writeTo(Path configHome) throws IOException {
        Path obs = configHome.resolve("obs-studio");
        Path profile = Files.createDirectories(obs.resolve("basic/profiles/" + NAME));
        Path scenes = Files.createDirectories(obs.resolve("basic/scenes"));
        Files.writeString(obs.resolve("global.ini"), globalIni());
        Files.writeString(profile.resolve("basic.ini"), basicIni());
        JSON.writeValue(profile.resolve("streamEncoder.json").toFile(), Map.of(
                "rate_control", "CBR", "bitrate", videoKbps, "keyint_sec", keyframeSeconds,
                "preset", "ultrafast", "profile", "main", "tune", "zerolatency"));
        JSON.writeValue(profile.resolve("service.json").toFile(), Map.of("type", "rtmp_custom",
                "settings", Map.of("server", server, "key", key, "use_auth", false, "bwtest", false)));
        JSON.writeValue(scenes.resolve(NAME + ".json").toFile(), sceneCollection());
    }

    private String globalIni() {
        return "[General]\nFirstRun=true\nLastVersion=" + LAST_VERSION + "\nEnableAutoUpdates=false\nConfirmOnExit=false\n"
                + "MaxLogs=3\n\n"
                + "[Basic]\nProfile=" + NAME + "\nProfileDir=" + NAME + "\nSceneCollection=" + NAME
                + "\nSceneCollectionFile=" + NAME + "\nConfigOnNewProfile=false\n\n"
                + "[BasicWindow]\nSysTrayEnabled=false\nWarnBeforeStartingStream=false\nWarnBeforeStoppingStream=false\n"
                + "PreviewEnabled=false\n\n"
                // obs-websocket 5: no first-load dialog, no server on 4455.
                + "[OBSWebSocket]\nFirstLoad=false\nServerEnabled=false\nAlertsEnabled=false\n";
    }

    private String basicIni() {
        return "[General]\nName=" + NAME + "\n\n"
                + "[Output]\nMode=Advanced\nReconnect=" + (maxRetries > 0) + "\nRetryDelay=" + retryDelaySeconds
                + "\nMaxRetries=" + maxRetries + "\n\n"
                + "[AdvOut]\nEncoder=obs_x264\nTrackIndex=1\nTrack1Bitrate=" + audioKbps
                + "\nRecEncoder=none\nApplyServiceSettings=false\n\n"
                + "[Video]\nBaseCX=" + width + "\nBaseCY=" + height + "\nOutputCX=" + width + "\nOutputCY=" + height
                + "\nFPSType=1\nFPSInt=" + fps + "\n\n"
                + "[Audio]\nSampleRate=48000\nChannelSetup=Stereo\n";
    }

    private Map<String, Object> sceneCollection() {
        // A lavfi input through OBS's media source: video that changes every frame, and a tone.
        String pattern = "testsrc2=size=" + width / 2 + "x" + height / 2 + ":rate=" + fps
                + "[out0];sine=frequency=440:sample_rate=48000[out1]";
        Map<String, Object> background = Map.of("id", "color_source_v3", "versioned_id", "color_source_v3",
                "name", "Background", "settings", Map.of("color", 0xFF402010L, "width", width, "height", height));
        Map<String, Object> media = Map.of("id", "ffmpeg_source", "versioned_id", "ffmpeg_source", "name", "Pattern",
                "settings", Map.of("is_local_file", false, "input", pattern, "input_format", "lavfi",
                        "close_when_inactive", false, "restart_on_activate", false, "hw_decode", false));
        Map<String, Object> scene = Map.of("id", "scene", "versioned_id", "scene", "name", "Scene",
                "settings", Map.of("id_counter", 2, "items", List.of(
                        item("Background", 1, 0, 0),
                        item("Pattern", 2, width / 4, height / 4))));
        return Map.of("name", NAME, "current_scene", "Scene", "current_program_scene", "Scene",
                "scene_order", List.of(Map.of("name", "Scene")),
                "sources", List.of(background, media, scene), "transitions", List.of());
    }

    private static Map<String, Object> item(String name, int id, int x, int y) {
        // Scale must be given: an item loaded without it is scaled to 0x0.
        return Map.of("name", name, "id", id, "visible", true,
                "pos", Map.of("x", x, "y", y), "scale", Map.of("x", 1.0, "y", 1.0));
    }
}
