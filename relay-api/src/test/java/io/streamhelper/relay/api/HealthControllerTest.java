package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestConfig;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.core.destination.DestinationTarget;
import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import io.streamhelper.relay.core.publish.StreamGrant;
import io.streamhelper.relay.core.secret.Secret;
import io.streamhelper.relay.core.stream.LiveStream;
import io.streamhelper.relay.core.stream.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Clock;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class HealthControllerTest {
    /** JavalinTest hides the log of a passing test; relay-logscan must see every log line. */
    private static final TestConfig KEEP_LOGS = new TestConfig(true, false, new OkHttpClient());

    @Test
    void healthcheckCountsLiveStreamsWithoutAuthOrSecrets() throws Exception {
        String ingestKey = TestKeys.ingest();
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "One"), Secret.of(ingestKey), List.<DestinationTarget>of())));
        StreamRegistry registry = new StreamRegistry(catalog, catalog, (t, l) -> {
            throw new AssertionError("no destinations");
        });
        ApiServer api = new ApiServer(registry, Clock.systemUTC());
        JavalinTest.test(api.javalin(), KEEP_LOGS, (server, client) -> {
            JsonNode idle = new ObjectMapper().readTree(client.get("/api/v1/server/healthcheck").body().string());
            assertEquals("OK", idle.get("status").asText());
            assertEquals(0, idle.get("activeStreams").asInt());

            LiveStream live = registry.beginPublish(ingestKey, ImmediateEventExecutor.INSTANCE);
            var response = client.get("/api/v1/server/healthcheck");
            assertEquals(200, response.code());
            String body = response.body().string();
            JsonNode busy = new ObjectMapper().readTree(body);
            assertEquals(1, busy.get("activeStreams").asInt());
            assertEquals(0, busy.get("activeRelays").asInt());
            assertTrue(busy.has("timestamp") && busy.has("uptime"));
            assertTrue(!body.contains(ingestKey), body);
            registry.endPublish(live);
        });
    }
}
