package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two relays on one PostgreSQL, a stream live on a: b's API answers for it, from what a
 * publishes with its heartbeat (every 2 s) and b reads at most once a second.
 */
class WholeServiceViewEndToEndTest {
    private static final String METRICS_TOKEN = TestKeys.token();

    @Test
    void theOtherNodeShowsAStreamLiveOnThisOneInEveryView() throws Exception {
        Tools.require("ffmpeg", "nginx");
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "whole-service-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        String destinationKey = TestKeys.destination();
        String[] shared = {"RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", TestKeys.encryptionKeyHex(),
                "RELAY_METRICS_TOKEN", METRICS_TOKEN};
        StaticStreamCatalog noFileStreams = new StaticStreamCatalog(List.of());
        Process encoder = null;
        try (HookServer hooks = new HookServer();
                NginxRtmp sink = NginxRtmp.start(work.resolve("sink"), NginxRtmp.options().hooks(hooks));
                RelayServer a = RelayServer.start(TestRelayConfig.node("node-a", shared), noFileStreams);
                RelayServer b = RelayServer.start(TestRelayConfig.node("node-b", shared), noFileStreams)) {
            RelayHttp onA = new RelayHttp(a.httpPort());
            RelayHttp onB = new RelayHttp(b.httpPort());
            String token = onA.signUpAndLogin("streamer@example.com", "a long passphrase");
            JsonNode stream = onA.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
            long streamId = stream.get("id").asLong();
            String ingestKey = TestKeys.issued(stream.get("key").asText());
            long destinationId = onA.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                    + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sink.rtmpUrl() + "\",\"streamKey\":\"" + destinationKey
                    + "\"}", token, 201).get("id").asLong();
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.call("GET", "/api/v1/server/healthcheck", null, null, 200)
                    .get("nodes").asInt() == 2);

            encoder = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + a.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("encoder.log"));
            await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", destinationKey));

            // Within a heartbeat and a cache (2 s + 1 s), b says where the stream is and how it goes.
            await().atMost(Duration.ofSeconds(10)).until(() -> "live".equals(onB.call("GET", "/api/v1/stream-destinations/"
                    + destinationId, null, token, 200).at("/status/state").asText()));
            JsonNode viewOnB = onB.call("GET", "/api/v1/streams/" + streamId, null, token, 200);
            assertTrue(viewOnB.get("isLive").asBoolean(), viewOnB.toString());
            assertEquals("node-a", viewOnB.get("node").asText());
            JsonNode health = onB.call("GET", "/api/v1/server/healthcheck", null, null, 200);
            assertEquals("node-b", health.get("node").asText());
            assertEquals(2, health.get("nodes").asInt());
            assertEquals(0, health.get("activeStreams").asInt(), "none on b itself");
            assertEquals(1, health.get("serviceActiveStreams").asInt(), health.toString());
            JsonNode stats = onB.call("GET", "/api/v1/stats", null, token, 200).get("streams");
            assertEquals(1, stats.size(), stats.toString());
            assertEquals("node-a", stats.get(0).get("node").asText());
            assertEquals("Main show", stats.get(0).get("name").asText());
            assertEquals("live", stats.get(0).at("/destinations/0/state").asText(), stats.toString());
            assertEquals("node-a", onA.call("GET", "/api/v1/stats", null, token, 200).at("/streams/0/node").asText());

            String metrics = metrics(b);
            assertTrue(metrics.contains("relay_active_streams{node=\"node-b\"} 0"), metrics);
            assertTrue(metrics(a).contains("relay_active_streams{node=\"node-a\"} 1"));
            for (String body : List.of(viewOnB.toString(), health.toString(), stats.toString(), metrics)) {
                assertFalse(body.contains(destinationKey) || body.contains(db.password()), body);
            }

            // The encoder stops: off the air on both, within a heartbeat or two.
            encoder.destroyForcibly().waitFor();
            await().atMost(Duration.ofSeconds(15)).until(() -> !onB.call("GET", "/api/v1/streams/" + streamId, null, token, 200)
                    .get("isLive").asBoolean());
            assertTrue(onB.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("node").isNull());
            assertEquals("idle", onB.call("GET", "/api/v1/stream-destinations/" + destinationId, null, token, 200)
                    .at("/status/state").asText());
        } finally {
            if (encoder != null) {
                encoder.destroyForcibly();
            }
        }
    }

    private static String metrics(RelayServer relay) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + relay.httpPort() + "/metrics"))
                .header("Authorization", "Bearer " + METRICS_TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }
}
