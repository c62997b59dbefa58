package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.stream.LiveStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The name /api/v1/stats shows is the stream's name now, not the one it had when it went live. */
class StatsNameTest {
    @TempDir
    Path dir;

    @Test
    void aStreamRenamedWhileLiveShowsItsNewNameInTheStats() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                String token = api.userToken("a@example.com");
                String key = api.streamKey(token, "Before");
                LiveStream live = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
                assertEquals("Before", onlyStream(api, token).path("name").asText());

                ApiFixture.Response renamed = api.send("PUT", "/api/v1/streams/" + live.id(), "{\"name\":\"After\"}", token);
                assertEquals(200, renamed.status(), renamed.body());
                JsonNode stream = onlyStream(api, token);
                assertEquals(live.id(), stream.path("id").asText());
                assertEquals("After", stream.path("name").asText(), "the stats follow a rename at once");
                api.registry.endPublish(live);
            });
        }
    }

    private static JsonNode onlyStream(ApiFixture api, String token) throws Exception {
        ApiFixture.Response stats = api.get("/api/v1/stats", token);
        assertEquals(200, stats.status(), stats.body());
        JsonNode streams = stats.json().get("streams");
        assertEquals(1, streams.size(), streams.toString());
        return streams.get(0);
    }
}
