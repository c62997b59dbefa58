package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.core.stream.LiveStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthControllerTest {
    @TempDir
    Path dir;

    @Test
    void healthcheckCountsLiveStreamsWithoutAuthOrSecrets() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                JsonNode idle = api.get("/api/v1/server/healthcheck", null).json();
                assertEquals("OK", idle.get("status").asText());
                assertEquals(0, idle.get("activeStreams").asInt());

                String key = api.streamKey(api.userToken("a@example.com"), "One");
                LiveStream live = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                ApiFixture.Response response = api.get("/api/v1/server/healthcheck", null);
                assertEquals(200, response.status());
                JsonNode busy = response.json();
                assertEquals(1, busy.get("activeStreams").asInt());
                assertEquals(0, busy.get("activeRelays").asInt());
                assertTrue(busy.has("timestamp") && busy.has("uptime"));
                assertFalse(response.body().contains(key), response.body());
                api.registry.endPublish(live);
            });
        }
    }

    @Test
    void unavailableWhileStartingStoppingOrWithoutDatabase() throws Exception {
        ApiFixture.Settings starting = new ApiFixture.Settings();
        starting.ready = false;
        try (ApiFixture api = new ApiFixture(dir, starting)) {
            api.test(() -> {
                ApiFixture.Response early = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, early.status());
                assertEquals("starting up", early.json().get("reason").asText());
                api.api.ready();
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status());
                api.database.close();
                ApiFixture.Response noDatabase = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, noDatabase.status());
                assertEquals("database unreachable", noDatabase.json().get("reason").asText());
                api.api.stopping();
                assertEquals("shutting down", api.get("/api/v1/server/healthcheck", null).json().get("reason").asText());
            });
        }
    }
}
