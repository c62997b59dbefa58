package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under a running relay, and comes back (issue 24: several nodes share one
 * PostgreSQL, so losing it is a case to survive, not a start-up error). A PostgreSQL of the test's
 * own (PostgresServer.startPrivate(): the shared one is never stopped), stopped as a crash would
 * stop it while the relay runs: health says so within seconds, the API refuses cleanly, a publish
 * is refused, nothing crashes; started again: health is back, what was stored is still there and
 * opens, and a publish relays again.
 */
class DatabaseLossTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METRICS_TOKEN = TestKeys.token();

    @Test
    void theRelayOutlivesItsDatabaseGoingAwayAndPicksUpWhenItIsBack() throws Exception {
        Tools.require("ffmpeg", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "db-loss-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        String destinationKey = TestKeys.destination();
        String otherKey = TestKeys.destination();
        String encryptionKey = TestKeys.encryptionKeyHex();
        try (PostgresServer postgres = PostgresServer.startPrivate();
                HookServer hooks = new HookServer();
                NginxRtmp sink = NginxRtmp.start(work.resolve("sink"), NginxRtmp.options().hooks(hooks))) {
            PostgresServer.TestDatabase db = postgres.createDatabase();
            RelayConfig config = TestRelayConfig.with("RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                    "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", encryptionKey,
                    "RELAY_METRICS_TOKEN", METRICS_TOKEN);
            List<String> secrets = List.of(db.password(), encryptionKey, destinationKey, otherKey);
            try (RelayServer relay = RelayServer.start(config, new StaticStreamCatalog(List.of()))) {
                RelayHttp api = new RelayHttp(relay.httpPort());
                String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
                JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
                long streamId = stream.get("id").asLong();
                String ingestKey = TestKeys.issued(stream.get("key").asText());
                api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\",\"rtmpUrl\":\""
                        + sink.rtmpUrl() + "\",\"streamKey\":\"" + destinationKey + "\",\"displayName\":\"nginx\"}", token, 201);
                api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\",\"rtmpUrl\":\""
                        + sink.rtmpUrl() + "\",\"streamKey\":\"" + otherKey + "\",\"displayName\":\"second\",\"enabled\":false}",
                        token, 201);
                assertEquals(200, api.status("/api/v1/server/healthcheck"));

                postgres.stop();
                long stoppedAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> api.status("/api/v1/server/healthcheck") == 503);
                long millisTo503 = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
                assertTrue(millisTo503 <= 10_000, "health took " + millisTo503 + " ms to see the database gone");
                System.out.println("DatabaseLossTest: health 503 " + millisTo503 + " ms after the stop");
                Response health = get(api, "/api/v1/server/healthcheck", null);
                assertEquals("UNAVAILABLE", health.json().get("status").asText(), health.body());
                assertEquals("database unreachable", health.json().get("reason").asText(), health.body());

                // An API write: a clean JSON 503 that says why, naming no secret.
                Response write = send(api, "POST", "/api/v1/streams", "{\"name\":\"While down\"}", token);
                assertEquals(503, write.status(), write.body());
                assertEquals("database unreachable, try again", write.json().get("error").asText(), write.body());
                assertEquals("5", write.retryAfter(), "a client is told when to try again");
                assertNoSecret(write.body(), secrets, ingestKey);

                // A publish: refused as UNAVAILABLE (its key cannot be looked up), counted, and the relay goes on.
                double refusedBefore = unavailable(api);
                Process refused = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("refused-publisher.log"));
                try {
                    assertTrue(refused.waitFor(30, TimeUnit.SECONDS), "the refused encoder was let go");
                    assertTrue(refused.exitValue() != 0, "ffmpeg saw its publish refused");
                } finally {
                    refused.destroyForcibly();
                }
                // The key lookup waits out the pool's checkout (5 s), as long as the publish deadline:
                // the encoder may hear the deadline's "server is busy" first, and the count follows.
                await().atMost(Duration.ofSeconds(10)).until(() -> unavailable(api) == refusedBefore + 1);
                assertEquals(0, get(api, "/api/v1/server/healthcheck", null).json().get("activeStreams").asInt());
                assertEquals(200, get(api, "/metrics", METRICS_TOKEN).status(), "what needs no database still answers");
                assertFalse(hooks.saw("publish", destinationKey), "nothing reached the destination");

                postgres.start();
                long startedAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> api.status("/api/v1/server/healthcheck") == 200);
                System.out.println("DatabaseLossTest: health 200 " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt)
                        + " ms after the start");

                // What was stored before is all there, the session included, and its keys open.
                assertEquals("Main show", api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("name").asText());
                JsonNode destinations = api.call("GET", "/api/v1/stream-destinations/stream/" + streamId, null, token, 200);
                assertEquals(2, destinations.size(), destinations.toString());
                assertEquals(0, api.call("GET", "/api/v1/streams", null, token, 200).toString().split("While down", -1).length - 1,
                        "the write refused while down was not made");
                Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher.log"));
                try {
                    // The destination key was decrypted from the database: the sink saw the publish by it.
                    await().atMost(Duration.ofSeconds(20)).until(() -> hooks.saw("publish", destinationKey));
                    assertTrue(api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("isLive").asBoolean());
                    assertFalse(hooks.saw("publish", otherKey), "the disabled one stays disabled");
                } finally {
                    publisher.destroyForcibly();
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish_done", destinationKey));
            }
        }
    }

    private record Response(int status, String body, String retryAfter) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Response send(RelayHttp api, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response.headers().firstValue("Retry-After").orElse(""));
    }

    private static Response get(RelayHttp api, String path, String token) throws Exception {
        return send(api, "GET", path, null, token);
    }

    /** Publishes refused as unavailable so far (the metrics need no database). */
    private static double unavailable(RelayHttp api) throws Exception {
        String text = get(api, "/metrics", METRICS_TOKEN).body();
        Matcher m = Pattern.compile("(?m)^relay_publish_rejections_total\\{[^}]*reason=\"unavailable\"[^}]*\\} ([0-9.eE+-]+)$")
                .matcher(text);
        assertTrue(m.find(), text);
        return Double.parseDouble(m.group(1));
    }

    private static void assertNoSecret(String body, List<String> secrets, String ingestKey) {
        for (String secret : secrets) {
            assertFalse(body.contains(secret), "a secret in: " + body);
        }
        assertFalse(body.contains(ingestKey), "the ingest key in: " + body);
    }
}
