package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks the {@code videoCodecs} a user restricts a destination to. Names are the FourCCs the
 * relay matches on (avc1, hvc1, av01, vp09), or the names ffprobe and OBS print for them (h264,
 * hevc, av1, vp9), which are stored as the FourCC. Codec names are not secrets, so a refused one
 * is named in the error (cut short and made printable).
 */
final class VideoCodecs {
    static final String FIELD = "videoCodecs";
    /** FourCC to the name people know it by. */
    private static final Map<String, String> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("avc1", "h264");
        KNOWN.put("hvc1", "hevc");
        KNOWN.put("av01", "av1");
        KNOWN.put("vp09", "vp9");
    }

    private VideoCodecs() {
    }

    /**
     * The FourCCs, in the order given, each once; refused with a 400 naming the problem when a
     * name is unknown, the list is empty, or a preset platform does not take one of them.
     */
    static List<String> check(List<String> requested, Platform platform) {
        if (requested.isEmpty()) {
            throw new InvalidField(FIELD, FIELD + " must name at least one codec; send null for the platform's own list");
        }
        List<String> fourCcs = new ArrayList<>();
        for (String name : requested) {
            String fourCc = fourCc(name);
            if (!platform.videoCodecs().isEmpty() && !platform.videoCodecs().contains(fourCc)) {
                throw new InvalidField(FIELD, FIELD + ": " + platform.label() + " accepts only "
                        + String.join(", ", platform.videoCodecs()) + ", not " + fourCc);
            }
            if (!fourCcs.contains(fourCc)) {
                fourCcs.add(fourCc);
            }
        }
        return List.copyOf(fourCcs);
    }

    private static String fourCc(String name) {
        String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (KNOWN.containsKey(lower)) {
            return lower;
        }
        for (Map.Entry<String, String> e : KNOWN.entrySet()) {
            if (e.getValue().equals(lower)) {
                return e.getKey();
            }
        }
        throw new InvalidField(FIELD, FIELD + ": unknown codec '" + printable(name) + "'; known: " + known());
    }

    private static String known() {
        List<String> all = new ArrayList<>();
        KNOWN.forEach((fourCc, common) -> all.add(fourCc + " (" + common + ")"));
        return String.join(", ", all);
    }

    private static String printable(String name) {
        if (name == null) {
            return "null";
        }
        String cut = name.length() > 16 ? name.substring(0, 16) : name;
        return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
    }
}
