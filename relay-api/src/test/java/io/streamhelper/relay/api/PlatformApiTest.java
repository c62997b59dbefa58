package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlatformApiTest {
    @TempDir
    Path dir;

    /** The presets the web app offers, with the URL a destination gets when it gives none. */
    @Test
    void platformsListTheirDefaultIngestAndWhetherAUrlIsRequired() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                assertEquals(401, api.get("/api/v1/platforms", null).status());
                ApiFixture.Response response = api.get("/api/v1/platforms", api.userToken("a@example.com"));
                assertEquals(200, response.status(), response.body());
                JsonNode platforms = response.json();
                assertEquals(5, platforms.size(), platforms.toString());
                assertPlatform(platforms.get(0), "twitch", "Twitch", "rtmp://live.twitch.tv/app", false, false);
                assertPlatform(platforms.get(1), "youtube", "YouTube", "rtmps://a.rtmps.youtube.com:443/live2", false, false);
                assertPlatform(platforms.get(2), "facebook", "Facebook", "rtmps://live-api-s.facebook.com:443/rtmp", false, true);
                assertPlatform(platforms.get(3), "kick", "Kick",
                        "rtmps://fa723fc1b171.global-contribute.live-video.net/app", false, false);
                assertPlatform(platforms.get(4), "custom", "Custom", null, true, false);
            });
        }
    }

    /** What each preset takes (issue 22): OBS's service list for video, AAC audio; custom any (null). */
    @Test
    void platformsListTheCodecsTheyTake() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                JsonNode platforms = api.get("/api/v1/platforms", api.userToken("a@example.com")).json();
                assertEquals("[\"avc1\"]", platforms.get(0).get("videoCodecs").toString());
                assertEquals("[\"avc1\",\"hvc1\",\"av01\"]", platforms.get(1).get("videoCodecs").toString());
                assertEquals("[\"avc1\"]", platforms.get(2).get("videoCodecs").toString());
                assertEquals("[\"avc1\"]", platforms.get(3).get("videoCodecs").toString());
                for (int i = 0; i < 4; i++) {
                    assertEquals("[\"mp4a\"]", platforms.get(i).get("audioCodecs").toString(), platforms.get(i).toString());
                }
                assertEquals(true, platforms.get(4).get("videoCodecs").isNull());
                assertEquals(true, platforms.get(4).get("audioCodecs").isNull());
            });
        }
    }

    private static void assertPlatform(JsonNode platform, String name, String label, String defaultUrl,
            boolean urlRequired, boolean rtmpsOnly) {
        assertEquals(name, platform.path("name").asText(), platform.toString());
        assertEquals(label, platform.path("label").asText(), platform.toString());
        if (defaultUrl == null) {
            assertEquals(true, platform.get("defaultUrl").isNull(), platform.toString());
        } else {
            assertEquals(defaultUrl, platform.path("defaultUrl").asText(), platform.toString());
        }
        assertEquals(urlRequired, platform.path("urlRequired").asBoolean(), platform.toString());
        assertEquals(rtmpsOnly, platform.path("rtmpsOnly").asBoolean(), platform.toString());
    }
}
