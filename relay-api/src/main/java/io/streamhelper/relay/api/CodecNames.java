package io.streamhelper.relay.api;

import java.util.Map;

/**
 * The names people know codecs by (what ffprobe and OBS print: h264, aac) for the FourCCs the
 * relay tracks internally (avc1, mp4a). Unknown ones are shown as they are.
 */
final class CodecNames {
    private static final Map<String, String> VIDEO = Map.of("avc1", "h264", "hvc1", "hevc", "av01", "av1", "vp09", "vp9");
    private static final Map<String, String> AUDIO = Map.of("mp4a", "aac", "opus", "opus", ".mp3", "mp3", "ac-3", "ac3",
            "ec-3", "eac3", "fLaC", "flac");

    private CodecNames() {
    }

    static String video(String fourCc) {
        return VIDEO.getOrDefault(fourCc, fourCc);
    }

    static String audio(String fourCc) {
        return AUDIO.getOrDefault(fourCc, fourCc);
    }
}
