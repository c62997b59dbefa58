package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Optional;
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
                LiveStream live = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
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

    /**
     * A stream waiting for its encoder is counted apart, and is no server problem: still 200, and
     * still among activeStreams (its destinations are on air).
     */
    @Test
    void aReconnectingStreamIsCountedAndStillHealthy() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                String token = api.userToken("a@example.com");
                Publication dropped = api.registry.beginPublish(api.streamKey(token, "Dropped"), ImmediateEventExecutor.INSTANCE);
                Publication steady = api.registry.beginPublish(api.streamKey(token, "Steady"), ImmediateEventExecutor.INSTANCE);
                JsonNode both = api.get("/api/v1/server/healthcheck", null).json();
                assertEquals(2, both.get("activeStreams").asInt());
                assertEquals(0, both.get("reconnectingStreams").asInt(), both.toString());

                dropped.lost();
                ApiFixture.Response response = api.get("/api/v1/server/healthcheck", null);
                assertEquals(200, response.status(), response.body());
                JsonNode waiting = response.json();
                assertEquals("OK", waiting.get("status").asText());
                assertEquals(2, waiting.get("activeStreams").asInt(), "a reconnecting stream is still on air: " + waiting);
                assertEquals(1, waiting.get("reconnectingStreams").asInt(), waiting.toString());

                api.streamTime.advance(Duration.ofSeconds(31));
                JsonNode expired = api.get("/api/v1/server/healthcheck", null).json();
                assertEquals(1, expired.get("activeStreams").asInt(), expired.toString());
                assertEquals(0, expired.get("reconnectingStreams").asInt(), expired.toString());
                steady.end();
            });
        }
    }

    @Test
    void unavailableWhileStartingStoppingOrWithoutDatabase() throws Exception {
        ApiFixture.Settings starting = new ApiFixture.Settings();
        starting.ready = false;
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        starting.clock = clock;
        try (ApiFixture api = new ApiFixture(dir, starting)) {
            api.test(() -> {
                ApiFixture.Response early = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, early.status());
                assertEquals("starting up", early.json().get("reason").asText());
                api.api.ready();
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status());
                api.database.close();
                clock.advance(CachedProbe.MAX_AGE); // the last probe's answer is kept for a second
                ApiFixture.Response noDatabase = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, noDatabase.status());
                assertEquals("database unreachable", noDatabase.json().get("reason").asText());
                api.api.stopping();
                assertEquals("shutting down", api.get("/api/v1/server/healthcheck", null).json().get("reason").asText());
            });
        }
    }

    /** A node fenced from its cluster relays nothing and refuses publishers: a balancer must send them elsewhere. */
    @Test
    void aNodeFencedFromItsClusterIsUnavailableUntilItsHeartbeatSucceedsAgain() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean fenced = new java.util.concurrent.atomic.AtomicBoolean();
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.cluster = Optional.of(new ApiServer.Cluster(fenced::get, () -> new ApiServer.NoticeCounts(0, 0, 0, 0, 0)));
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status());
                fenced.set(true);
                ApiFixture.Response answer = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, answer.status());
                assertEquals("UNAVAILABLE", answer.json().get("status").asText());
                assertEquals("fenced from the cluster (database heartbeat lost)", answer.json().get("reason").asText());
                fenced.set(false);
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status());
            });
        }
    }

    /**
     * Under 14 days left the RTMPS certificate makes the relay DEGRADED (still 200: it takes
     * publishers, and a 503 renews nothing), expired says so apart; a renewal puts it back to OK.
     */
    @Test
    void anRtmpsCertificateNearItsEndDegradesTheHealthAndAnExpiredOneSaysSo() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicReference<Instant> notAfter = new AtomicReference<>(Instant.parse("2026-03-31T12:00:00Z"));
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.clock = clock;
        settings.databaseUp = () -> true;
        settings.rtmpsCertificate = Optional.of(new ApiServer.RtmpsCertificate(notAfter::get, Duration.ofDays(14)));
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                ApiFixture.Response fresh = api.get("/api/v1/server/healthcheck", null);
                assertEquals(200, fresh.status());
                JsonNode json = fresh.json();
                assertEquals("OK", json.get("status").asText(), json.toString());
                assertFalse(json.has("warnings"), json.toString());
                assertEquals("2026-03-31T12:00:00Z", json.at("/rtmps/certificateExpiresAt").asText());
                assertEquals(89, json.at("/rtmps/daysLeft").asLong(), json.toString());
                assertEquals("OK", json.at("/rtmps/status").asText());

                clock.advance(Duration.ofDays(76)); // 13 days 12 h left
                ApiFixture.Response near = api.get("/api/v1/server/healthcheck", null);
                assertEquals(200, near.status(), "publishers still get in: no 503");
                assertEquals("DEGRADED", near.json().get("status").asText(), near.body());
                assertEquals(13, near.json().at("/rtmps/daysLeft").asLong(), near.body());
                assertEquals("EXPIRING", near.json().at("/rtmps/status").asText(), near.body());
                assertTrue(near.json().at("/warnings/0").asText().contains("expires in 13 days"), near.body());

                clock.advance(Duration.ofDays(14)); // half a day past notAfter
                ApiFixture.Response expired = api.get("/api/v1/server/healthcheck", null);
                assertEquals(200, expired.status());
                assertEquals("DEGRADED", expired.json().get("status").asText(), expired.body());
                assertEquals("EXPIRED", expired.json().at("/rtmps/status").asText(), expired.body());
                assertEquals(-1, expired.json().at("/rtmps/daysLeft").asLong(), expired.body());
                assertTrue(expired.json().at("/warnings/0").asText().contains("expired"), expired.body());
                for (JsonNode answer : java.util.List.of(json, near.json(), expired.json())) {
                    JsonNode doc = OpenApiCoverageTest.document();
                    JsonNode schema = OpenApiSchemaCheck.resolve(doc, doc.at("/components/schemas/Health"));
                    assertEquals(java.util.List.of(), OpenApiSchemaCheck.problems(doc, schema, answer), "openapi.json's Health: " + answer);
                }

                notAfter.set(clock.instant().plus(Duration.ofDays(90))); // certbot ran, the ingest reloaded
                JsonNode renewed = api.get("/api/v1/server/healthcheck", null).json();
                assertEquals("OK", renewed.get("status").asText(), renewed.toString());
                assertEquals(90, renewed.at("/rtmps/daysLeft").asLong(), renewed.toString());

                api.api.stopping(); // unavailability outranks a certificate warning
                ApiFixture.Response stopping = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, stopping.status());
                assertEquals("UNAVAILABLE", stopping.json().get("status").asText());
            });
        }
    }

    @Test
    void withoutRtmpsThereIsNoCertificateField() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> assertFalse(api.get("/api/v1/server/healthcheck", null).json().has("rtmps")));
        }
    }

    @Test
    void anonymousHealthChecksProbeTheDatabaseAtMostOnceASecond() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicInteger probes = new AtomicInteger();
        AtomicBoolean up = new AtomicBoolean(true);
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.clock = clock;
        settings.databaseUp = () -> {
            probes.incrementAndGet();
            return up.get();
        };
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                for (int i = 0; i < 20; i++) {
                    assertEquals(200, api.get("/api/v1/server/healthcheck", null).status());
                    clock.advance(Duration.ofMillis(45)); // 20 requests within 0.9 s
                }
                assertEquals(1, probes.get(), "one probe for twenty requests within a second");
                up.set(false);
                clock.advance(Duration.ofMillis(100)); // a second after the first probe
                ApiFixture.Response down = api.get("/api/v1/server/healthcheck", null);
                assertEquals(503, down.status(), down.body());
                assertEquals("database unreachable", down.json().get("reason").asText());
                assertEquals(2, probes.get());
            });
        }
    }
}
