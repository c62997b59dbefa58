package io.streamhelper.relay.engine.destination;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which codecs one destination takes, as FourCCs ({@code avc1}, {@code hvc1}, {@code av01};
 * {@code mp4a}, {@code Opus}); an empty list takes any codec. The relay cannot transcode, so a
 * stream in a codec the destination does not take is not sent there at all ({@link #refusal}).
 * {@code who} names the destination in the refusal ("Twitch", "This destination").
 */
public record CodecRules(String who, List<String> video, List<String> audio) {
    /** A custom destination nobody restricted: whatever the publisher sends goes. */
    public static final CodecRules ANY = new CodecRules("This destination", List.of(), List.of());

    /** The names people know codecs by, for messages; an unknown FourCC is shown as it is. */
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("avc1", "H.264"), Map.entry("hvc1", "HEVC"), Map.entry("av01", "AV1"),
            Map.entry("vp09", "VP9"), Map.entry("vp08", "VP8"), Map.entry("mp4a", "AAC"), Map.entry("Opus", "Opus"),
            Map.entry("mp3", "MP3"), Map.entry(".mp3", "MP3"), Map.entry("ac-3", "AC-3"), Map.entry("ec-3", "E-AC-3"),
            Map.entry("fLaC", "FLAC"));
    /** What FlvTags says before it has seen a tag of that kind: nothing to refuse. */
    private static final Set<String> NOT_SEEN = Set.of("none");

    public CodecRules {
        Objects.requireNonNull(who, "who");
        video = List.copyOf(video);
        audio = List.copyOf(audio);
    }

    /** Whether some stream could be refused: such a destination waits to learn the stream's codecs first. */
    public boolean restricts() {
        return !video.isEmpty() || !audio.isEmpty();
    }

    /**
     * Why this destination cannot take a stream in these codecs ("Twitch accepts H.264 only; this
     * stream is HEVC"), or null when it can. A kind not seen yet ({@code none}) is not refused.
     */
    public String refusal(String videoCodec, String audioCodec) {
        if (!video.isEmpty() && !NOT_SEEN.contains(videoCodec) && !video.contains(videoCodec)) {
            return who + " accepts " + list(video) + " only; this stream is " + name(videoCodec);
        }
        if (!audio.isEmpty() && !NOT_SEEN.contains(audioCodec) && !audio.contains(audioCodec)) {
            return who + " accepts " + list(audio) + " audio only; this stream's audio is " + name(audioCodec);
        }
        return null;
    }

    /** "H.264", "H.264 and HEVC", "H.264, HEVC and AV1". */
    private static String list(List<String> codecs) {
        List<String> names = codecs.stream().map(CodecRules::name).toList();
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    static String name(String fourCc) {
        return NAMES.getOrDefault(fourCc, fourCc);
    }
}
