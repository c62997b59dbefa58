package io.streamhelper.relay.rtmp.message;

import java.util.LinkedHashMap;
import java.util.Map;

/** The info objects carried by {@code _result} and {@code onStatus} replies. */
public final class StatusObjects {
    private StatusObjects() {
    }

    public static Map<String, Object> status(String level, String code, String description) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("level", level);
        info.put("code", code);
        info.put("description", description);
        return info;
    }

    /** The level of an onStatus/_result info object, or "" when there is none. */
    public static String level(Map<String, Object> info) {
        return info.get("level") instanceof String s ? s : "";
    }

    public static String code(Map<String, Object> info) {
        return info.get("code") instanceof String s ? s : "";
    }
}
