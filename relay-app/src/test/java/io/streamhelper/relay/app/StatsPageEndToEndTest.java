package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.Chromium;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The stats as an operator sees them, between real programs: ffmpeg publishes a 1280x720 H.264 +
 * AAC stream, the relay sends it to two nginx-rtmp servers, the JSON at /api/v1/stats says so,
 * and a real headless Chromium renders /stat from it (the DOM is checked, a screenshot kept).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsPageEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long OWNER = 7;
    private static final String INGEST_KEY = TestKeys.ingest();
    private static final List<String> DESTINATION_KEYS = List.of(TestKeys.destination(), TestKeys.destination());
    private static final List<String> DISPLAY_NAMES = List.of("YouTube via nginx A", "Twitch via nginx B");
    /** Kept after the run, for a person to look at. */
    static final Path SCREENSHOT = Path.of("target", "stat-page", "stat.png");

    private Path work;
    private final List<NginxRtmp> destinations = new ArrayList<>();
    private RelayServer relay;
    /** A real bearer token: the relay's first account, an admin, who sees every live stream. */
    private String token;
    private Process publisher;
    /** Every encoder a test started, stopped after all. */
    private final List<Process> encoders = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startPeersAndRelay() throws Exception {
        Tools.require("ffmpeg", "nginx");
        Files.createDirectories(Path.of("target"));
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "stats-e2e-");
        List<DestinationTarget> targets = new ArrayList<>();
        List<String> platforms = List.of("youtube", "twitch");
        for (int i = 0; i < 2; i++) {
            NginxRtmp nginx = NginxRtmp.start(work.resolve("nginx-" + i), NginxRtmp.options());
            destinations.add(nginx);
            targets.add(new DestinationTarget("d" + i, DISPLAY_NAMES.get(i), nginx.rtmpUrl(),
                    Secret.of(DESTINATION_KEYS.get(i)), platforms.get(i)));
        }
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s-stats", "Stats end to end", OWNER), Secret.of(INGEST_KEY), targets)));
        // The default grace, whatever the test default: one test drops the encoder and brings it back.
        relay = RelayServer.start(TestRelayConfig.with("RELAY_PUBLISHER_GRACE_S", "30"), catalog);
        token = new RelayHttp(relay.httpPort()).signUpAndLogin("operator@example.com", "stats page passphrase");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (publisher != null && publisher.isAlive()) {
            publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (Process encoder : encoders) {
            if (encoder.isAlive()) {
                encoder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (relay != null) {
            relay.close();
        }
        for (NginxRtmp nginx : destinations) {
            nginx.close();
        }
    }

    private String statsBody() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/stats"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + relay.httpPort();
    }

    private static void assertNoKey(String text) {
        for (String key : concat(List.of(INGEST_KEY), DESTINATION_KEYS)) {
            assertFalse(text.contains(key), "a key is shown: " + key);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void statsJsonAndPageShowTheLiveStreamAndBothDestinations() throws Exception {
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        publisher = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + INGEST_KEY,
                work.resolve("publisher.log"));

        // 1. The JSON, as the page and any script will read it.
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String body = statsBody();
            assertNoKey(body);
            JsonNode report = JSON.readTree(body);
            seen.set(report);
            assertEquals(1, report.get("streams").size(), body);
            JsonNode stream = report.get("streams").get(0);
            assertEquals("s-stats", stream.get("id").asText());
            assertEquals(1280, stream.at("/video/width").asInt(), body);
            assertEquals(720, stream.at("/video/height").asInt(), body);
            assertEquals("h264", stream.at("/video/codec").asText(), body);
            assertEquals("aac", stream.at("/audio/codec").asText(), body);
            assertEquals(30.0, stream.at("/video/declaredFps").asDouble(), body);
            double fps = stream.at("/video/fps").asDouble();
            assertTrue(fps > 15 && fps < 45, "about 30 frames a second actually arrive: " + body);
            assertTrue(stream.get("bitrateKbps").asLong() > 1000, "the 6 Mbit/s clip arrives: " + body);
            JsonNode destinationsJson = stream.get("destinations");
            assertEquals(2, destinationsJson.size(), body);
            for (int i = 0; i < 2; i++) {
                JsonNode d = destinationsJson.get(i);
                assertEquals(DISPLAY_NAMES.get(i), d.get("displayName").asText());
                assertEquals("live", d.get("state").asText(), body);
                assertEquals("127.0.0.1", d.get("host").asText());
                assertTrue(d.get("bitrateKbps").asLong() > 1000, "the relay sends it on: " + body);
                assertTrue(d.get("bytesSent").asLong() > 0 && d.get("framesSent").asLong() > 0, body);
            }
        });
        JsonNode stream = seen.get().get("streams").get(0);
        String publisherAddress = stream.get("publisher").asText();
        assertTrue(publisherAddress.matches("127\\.0\\.0\\.1:\\d+"), publisherAddress);
        assertNotEquals(String.valueOf(relay.rtmpPort()), publisherAddress.split(":")[1],
                "the publisher's own port, not the relay's");

        // The health check counts the same: one stream live, two destinations relaying.
        RelayHttp api = new RelayHttp(relay.httpPort());
        JsonNode health = api.call("GET", "/api/v1/server/healthcheck", null, null, 200);
        assertEquals(1, health.get("activeStreams").asInt(), health.toString());
        assertEquals(2, health.get("activeRelays").asInt(), health.toString());

        // 2. The page in a real browser, with the token handed over in the URL fragment.
        Path browserWork = work.resolve("chromium");
        String dom = Chromium.dumpDom(baseUrl() + "/stat#token=" + token, Duration.ofSeconds(4), browserWork);
        for (String name : DISPLAY_NAMES) {
            assertTrue(dom.contains(name), "the page names " + name + ": " + dom);
        }
        assertEquals(2, count(dom, "<span class=\"state live\">live</span>"), "both destinations shown live: " + dom);
        assertTrue(dom.contains("Stats end to end") && dom.contains("1280×720") && dom.contains("h264")
                && dom.contains(publisherAddress), dom);
        assertTrue(dom.contains("Mbit/s"), "bitrates in human units: " + dom);
        assertTrue(dom.contains("<form id=\"login\" hidden"), "no login form while the token works: " + dom);
        assertNoKey(dom);

        Files.createDirectories(SCREENSHOT.getParent());
        Files.deleteIfExists(SCREENSHOT);
        Chromium.screenshot(baseUrl() + "/stat#token=" + token, SCREENSHOT, 1400, 700, Duration.ofSeconds(4), browserWork);
        assertTrue(Files.size(SCREENSHOT) > 10_000, "a real picture of the page: " + SCREENSHOT.toAbsolutePath());

        // 3. A token the server refuses (401) brings the sign-in form back and shows no stream.
        String refused = Chromium.dumpDom(baseUrl() + "/stat#token=not-a-valid-token", Duration.ofSeconds(3), browserWork);
        assertTrue(refused.contains("<form id=\"login\">"), "the sign-in form is shown: " + refused);
        assertTrue(refused.contains("Your session has ended"), refused);
        assertFalse(refused.contains(DISPLAY_NAMES.get(0)), refused);

        // The publisher leaves: the stream is no longer listed.
        publisher.destroy();
        assertTrue(publisher.waitFor(15, TimeUnit.SECONDS), "ffmpeg stopped");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(
                () -> assertEquals(0, JSON.readTree(statsBody()).get("streams").size()));
    }

    /**
     * The encoder dies (SIGKILL: no unpublish, as when OBS loses its network): the JSON, the
     * health check and the page in Chromium say the stream is reconnecting and for how long,
     * while both nginx destinations stay published; a new ffmpeg with the key continues the
     * same stream, and the destinations never reconnect.
     */
    @AfterEach
    void stopEncoders() throws Exception {
        for (Process encoder : encoders) {
            if (encoder.isAlive()) {
                encoder.destroy(); // SIGTERM: ffmpeg unpublishes, so no stream is left waiting for it
                encoder.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aDroppedEncoderShowsAsReconnectingUntilItComesBack() throws Exception {
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        String ingest = "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + INGEST_KEY;
        Process first = Ffmpeg.publishLooping(clip, ingest, work.resolve("dropped-publisher.log"));
        encoders.add(first);
        AtomicReference<JsonNode> live = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode report = JSON.readTree(statsBody());
            assertEquals(1, report.get("streams").size(), report.toString());
            JsonNode stream = report.get("streams").get(0);
            assertEquals("live", stream.get("state").asText(), report.toString());
            for (JsonNode d : stream.get("destinations")) {
                assertEquals("live", d.get("state").asText(), report.toString());
                assertTrue(d.get("framesSent").asLong() > 0, report.toString());
            }
            live.set(stream);
        });
        List<String> destinationsLiveSince = new ArrayList<>();
        live.get().get("destinations").forEach(d -> destinationsLiveSince.add(d.get("since").asText()));

        first.destroyForcibly();
        assertTrue(first.waitFor(15, TimeUnit.SECONDS), "ffmpeg killed");
        AtomicReference<JsonNode> waiting = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode report = JSON.readTree(statsBody());
            assertEquals(1, report.get("streams").size(), "the stream outlives its encoder: " + report);
            JsonNode stream = report.get("streams").get(0);
            assertEquals("reconnecting", stream.get("state").asText(), stream.toString());
            waiting.set(stream);
        });
        JsonNode stream = waiting.get();
        long left = stream.get("graceSecondsLeft").asLong();
        assertTrue(left > 0 && left <= 30, stream.toString());
        assertTrue(stream.get("graceEndsAt").isTextual(), stream.toString());
        List<String> since = new ArrayList<>();
        for (JsonNode d : stream.get("destinations")) {
            assertEquals("live", d.get("state").asText(), "the destinations stay published: " + stream);
            since.add(d.get("since").asText());
        }
        assertEquals(destinationsLiveSince, since, "no destination reconnected");
        JsonNode health = new RelayHttp(relay.httpPort()).call("GET", "/api/v1/server/healthcheck", null, null, 200);
        assertEquals(1, health.get("reconnectingStreams").asInt(), health.toString());
        assertEquals(1, health.get("activeStreams").asInt(), health.toString());

        Path browserWork = work.resolve("chromium-reconnecting");
        String dom = Chromium.dumpDom(baseUrl() + "/stat#token=" + token, Duration.ofSeconds(4), browserWork);
        assertTrue(dom.contains("class=\"stream reconnecting\""), "the stream's box is marked: " + dom);
        assertTrue(dom.matches("(?s).*Reconnecting: waiting for the encoder to come back, \\d+ s left \\(destinations stay live\\).*"),
                "the page says so in words: " + dom);
        assertTrue(dom.contains("<span class=\"stream-state reconnecting\">Reconnecting</span>"), dom);
        assertEquals(2, count(dom, "<span class=\"state live\">live</span>"), "both destinations still shown live: " + dom);
        assertTrue(dom.contains("Last publisher"), dom);
        assertNoKey(dom);
        Path picture = SCREENSHOT.resolveSibling("stat-reconnecting.png");
        Files.createDirectories(picture.getParent());
        Files.deleteIfExists(picture);
        Chromium.screenshot(baseUrl() + "/stat#token=" + token, picture, 1400, 700, Duration.ofSeconds(4), browserWork);
        assertTrue(Files.size(picture) > 10_000, "a real picture of the page: " + picture.toAbsolutePath());

        Process second = Ffmpeg.publishLooping(clip, ingest, work.resolve("returning-publisher.log"));
        encoders.add(second);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode back = JSON.readTree(statsBody()).get("streams").get(0);
            assertEquals("live", back.get("state").asText(), back.toString());
            assertEquals(1, back.get("publisherReconnects").asLong(), back.toString());
            assertTrue(back.get("graceEndsAt").isNull(), back.toString());
            List<String> sinceAfter = new ArrayList<>();
            back.get("destinations").forEach(d -> sinceAfter.add(d.get("since").asText()));
            assertEquals(destinationsLiveSince, sinceAfter, "the same destination connections carry on");
        });
        String resumedDom = Chromium.dumpDom(baseUrl() + "/stat#token=" + token, Duration.ofSeconds(4), browserWork);
        assertFalse(resumedDom.contains("class=\"stream reconnecting\"") || resumedDom.contains("<p class=\"notice reconnecting\">"),
                "no reconnecting notice once the encoder is back: " + resumedDom);
        assertTrue(resumedDom.contains("<span class=\"stream-state live\">Live</span>"), resumedDom);

        second.destroy(); // SIGTERM: ffmpeg unpublishes, a clean end
        assertTrue(second.waitFor(15, TimeUnit.SECONDS), "ffmpeg stopped");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(
                () -> assertEquals(0, JSON.readTree(statsBody()).get("streams").size()));
    }

    /**
     * After the show, /stat does not just say "No live streams": it shows the last session of the
     * user's streams, how it ended and each destination's part. A database stream (the file
     * stream above keeps no history), one destination on nginx A, a short clip that ends cleanly.
     */
    @Test
    void withNothingLiveThePageShowsTheLastSession() throws Exception {
        RelayHttp api = new RelayHttp(relay.httpPort());
        JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Tuesday show\"}", token, 201);
        String key = TestKeys.issued(stream.get("key").asText());
        String destinationKey = TestKeys.destination();
        api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + stream.get("id").asLong()
                + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + destinations.get(0).rtmpUrl() + "\",\"streamKey\":\""
                + destinationKey + "\",\"displayName\":\"Tuesday nginx\"}", token, 201);
        Process show = Ffmpeg.publish(Ffmpeg.testClip(Path.of("target", "clips"), 4),
                "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + key, work.resolve("tuesday-publisher.log"));
        encoders.add(show);
        assertTrue(show.waitFor(30, TimeUnit.SECONDS), "the clip ends");
        String sessions = "/api/v1/streams/" + stream.get("id").asLong() + "/sessions";
        await().atMost(Duration.ofSeconds(15)).until(() -> "stopped".equals(
                api.call("GET", sessions, null, token, 200).at("/sessions/0/endReason").asText()));

        String dom = Chromium.dumpDom(baseUrl() + "/stat#token=" + token, Duration.ofSeconds(4), work.resolve("chromium-last"));
        assertTrue(dom.contains("No live streams right now."), dom);
        assertTrue(dom.contains("Last session: Tuesday show"), "the last session is shown: " + dom);
        assertTrue(dom.contains("<td class=\"end-reason\">stopped by the encoder</td>"), dom);
        assertTrue(dom.contains("Tuesday nginx") && dom.contains("<td>127.0.0.1</td>"), dom);
        assertTrue(dom.contains("<td class=\"failure\">none</td>"), "it never failed: " + dom);
        assertNoKey(dom);
        assertFalse(dom.contains(key) || dom.contains(destinationKey), dom);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }
}
