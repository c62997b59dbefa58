package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.service.Platform;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /api/v1/platforms: the platforms a destination can be, with the ingest URL each gets when
 * none is given. The catalog's {@link Platform} is the one place these live, so the web app asks
 * here instead of keeping its own copy that could drift.
 */
final class PlatformController {
    private static final List<Map<String, Object>> PLATFORMS = Arrays.stream(Platform.values())
            .map(PlatformController::view).toList();

    void list(Context ctx) {
        ctx.json(PLATFORMS);
    }

    private static Map<String, Object> view(Platform platform) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", platform.wireName());
        view.put("label", platform.label());
        view.put("defaultUrl", platform.defaultUrl().orElse(null));
        view.put("urlRequired", platform.defaultUrl().isEmpty());
        view.put("rtmpsOnly", platform.rtmpsOnly());
        // The codecs it takes (FourCCs); null: any (custom).
        view.put("videoCodecs", platform.videoCodecs().isEmpty() ? null : platform.videoCodecs());
        view.put("audioCodecs", platform.audioCodecs().isEmpty() ? null : platform.audioCodecs());
        return view;
    }
}
