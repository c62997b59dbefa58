package io.streamhelper.relay.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationRejectedException;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.store.Role;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.engine.stream.VideoFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What /api/v1/stats shows and to whom, and the /stat page being served without auth. Streams are
 * real {@link LiveStream}s from a real {@link StreamRegistry}; destinations are in-memory links the
 * test declares live or refused. Authentication is not this controller's job: the test app's own
 * {@code before} handler stands in for it, turning "Bearer alice|bob|admin" into a {@link Caller}.
 */
class StatsControllerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private static final Map<String, Caller> TEST_TOKENS = Map.of(
            "alice", new Caller(ALICE, Role.USER),
            "bob", new Caller(BOB, Role.USER),
            "admin", new Caller(99, Role.ADMIN));

    /** Every secret the test creates: none may appear in any response. */
    private static final String ALICE_KEY = TestKeys.ingest();
    private static final String BOB_KEY = TestKeys.ingest();
    private static final String CONFIG_KEY = TestKeys.ingest();
    private static final String YOUTUBE_KEY = TestKeys.destination();
    private static final String CUSTOM_KEY = TestKeys.destination();
    private static final String PATH_SECRET = TestKeys.destination();
    private static final List<String> SECRETS = List.of(ALICE_KEY, BOB_KEY, CONFIG_KEY, YOUTUBE_KEY, CUSTOM_KEY, PATH_SECRET);

    private final EventLoop loop = new DefaultEventLoop();
    private final Map<String, MemoryLink> links = new ConcurrentHashMap<>();
    private StreamRegistry registry;
    private final List<LiveStream> live = new ArrayList<>();
    private final ManualScheduler streamTime = new ManualScheduler();
    private Publication alicePublisher;

    /** A destination connection that keeps nothing: counts bytes, releases every tag. */
    private static final class MemoryLink implements DestinationLink {
        final DestinationLink.Listener listener;
        final AtomicLong bytes = new AtomicLong();

        MemoryLink(DestinationLink.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void send(MediaMessage message) {
            bytes.addAndGet(message.content().readableBytes());
            message.release();
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long bytesSent() {
            return bytes.get();
        }

        @Override
        public void close() {
            listener.onClosed(this, null);
        }

        @Override
        public void abort(Throwable reason) {
            listener.onClosed(this, reason);
        }
    }

    @BeforeEach
    void publishThreeStreams() throws Exception {
        DestinationTarget youtube = new DestinationTarget("yt", "YouTube main", "rtmps://a.rtmps.youtube.com:443/live2",
                Secret.of(YOUTUBE_KEY), "youtube");
        // A custom server whose URL path holds a secret: only its host may be shown.
        DestinationTarget custom = new DestinationTarget("cu", "Backup server", "rtmp://user:pw@backup.example.com/" + PATH_SECRET + "",
                Secret.of(CUSTOM_KEY), "custom");
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s-alice", "Alice live", ALICE), Secret.of(ALICE_KEY),
                        List.of(youtube, custom)),
                new StaticStreamCatalog.Entry(new StreamGrant("s-bob", "Bob live", BOB), Secret.of(BOB_KEY),
                        List.of()),
                new StaticStreamCatalog.Entry(new StreamGrant("s-config", "Configured"), Secret.of(CONFIG_KEY),
                        List.of())));
        DestinationConnector connector = new DestinationConnector() {
            @Override
            public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
                MemoryLink link = new MemoryLink(listener);
                links.put(target.id(), link);
                return link;
            }

            @Override
            public Timers timers(EventExecutor executor) {
                return ApiFixture.virtualTimers(streamTime); // no grace or retry runs out unless a test says so
            }
        };
        registry = new StreamRegistry(catalog, catalog, connector,
                StreamRegistry.Settings.defaults().withPublisherGrace(Duration.ofSeconds(30))); // the server's default
        alicePublisher = registry.beginPublish(ALICE_KEY, loop, "198.51.100.7:50000");
        live.add(alicePublisher.stream());
        live.add(registry.beginPublish(BOB_KEY, loop, "203.0.113.9:40000").stream());
        live.add(registry.beginPublish(CONFIG_KEY, loop, "192.0.2.1:1234").stream());

        LiveStream alice = live.get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> links.size() == 2);
        links.get("yt").listener.onLive(links.get("yt"));
        // A refusal whose text (wrongly) names the key: the relay redacts it before anyone sees it.
        links.get("cu").listener.onClosed(links.get("cu"),
                new DestinationRejectedException("publish refused for key " + CUSTOM_KEY));
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.relays(alice).stream()
                .allMatch(r -> r.state() == DestinationState.LIVE || r.state() == DestinationState.REJECTED));

        loop.submit(() -> {
            alice.announceFormat(new VideoFormat(1280, 720, 30));
            alice.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0)); // AVC sequence header
            alice.publish(tag(MediaKind.AUDIO, 0, 0xAF, 0, 0x12, 0x10)); // AAC sequence header
            alice.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0, 1, 2, 3));
        }).sync();
    }

    @AfterEach
    void endStreams() {
        live.forEach(registry::endPublish);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new MediaMessage(kind, ts, Unpooled.wrappedBuffer(b));
    }

    /**
     * The stats controller behind a stand-in for authentication, so the test can be any caller:
     * the controller's own visibility rules are what is tested here; that /api/v1/stats needs a
     * real token is proven through the real ApiServer in StatsPageEndToEndTest and the API tests.
     */
    private Javalin app() {
        StatsController stats = new StatsController(registry, Clock.systemUTC());
        Javalin app = Javalin.create();
        app.get("/api/v1/stats", stats::json);
        app.get("/stat", stats::page);
        app.before(ctx -> {
            String header = ctx.header("Authorization");
            if (header != null && header.startsWith("Bearer ") && TEST_TOKENS.containsKey(header.substring(7))) {
                Caller.set(ctx, TEST_TOKENS.get(header.substring(7)));
            }
        });
        return app;
    }

    private static okhttp3.Response get(HttpClient client, String path, String token) {
        return client.get(path, request -> {
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
        });
    }

    private static List<String> streamIds(JsonNode report) {
        List<String> ids = new ArrayList<>();
        report.get("streams").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    private static void assertNoSecret(String body) {
        for (String secret : SECRETS) {
            assertFalse(body.contains(secret), "the response shows a secret (" + secret + "): " + body);
        }
    }

    @Test
    void withoutACallerTheStatsAreRefusedAsJson() {
        JavalinTest.test(app(), (server, client) -> {
            var response = get(client, "/api/v1/stats", null);
            assertEquals(401, response.code());
            JsonNode body = JSON.readTree(response.body().string());
            assertTrue(body.get("error").asText().length() > 0);
            assertFalse(body.has("streams"));

            assertEquals(401, get(client, "/api/v1/stats", "not-a-token").code());
        });
    }

    @Test
    void usersSeeOnlyTheirOwnStreamsAndAdminsSeeAll() {
        JavalinTest.test(app(), (server, client) -> {
            assertEquals(List.of("s-alice"), streamIds(JSON.readTree(get(client, "/api/v1/stats", "alice").body().string())));
            assertEquals(List.of("s-bob"), streamIds(JSON.readTree(get(client, "/api/v1/stats", "bob").body().string())));
            // Sorted by name; the configured stream has no owner, so only admins see it.
            assertEquals(List.of("s-alice", "s-bob", "s-config"),
                    streamIds(JSON.readTree(get(client, "/api/v1/stats", "admin").body().string())));
        });
    }

    @Test
    void aStreamShowsItsPublisherPictureCodecsAndEachDestination() {
        JavalinTest.test(app(), (server, client) -> {
            var response = get(client, "/api/v1/stats", "alice");
            assertEquals(200, response.code());
            assertEquals("no-store", response.header("Cache-Control"));
            JsonNode report = JSON.readTree(response.body().string());
            assertTrue(report.get("generatedAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), report.toString());

            JsonNode stream = report.get("streams").get(0);
            assertEquals("Alice live", stream.get("name").asText());
            assertEquals("198.51.100.7:50000", stream.get("publisher").asText());
            assertTrue(stream.get("startedAt").isTextual() && stream.get("uptimeSeconds").asLong() >= 0);
            assertEquals("h264", stream.at("/video/codec").asText());
            assertEquals(1280, stream.at("/video/width").asInt());
            assertEquals(720, stream.at("/video/height").asInt());
            assertEquals(30.0, stream.at("/video/declaredFps").asDouble());
            assertTrue(stream.at("/video/fps").isNumber());
            assertEquals("aac", stream.at("/audio/codec").asText());
            assertTrue(stream.get("bitrateKbps").isIntegralNumber());
            assertTrue(stream.get("bytesIn").asLong() > 0);

            JsonNode youtube = stream.get("destinations").get(0);
            assertEquals("yt", youtube.get("id").asText());
            assertEquals("youtube", youtube.get("platform").asText());
            assertEquals("YouTube main", youtube.get("displayName").asText());
            assertEquals("a.rtmps.youtube.com", youtube.get("host").asText(), "the host, never the URL");
            assertEquals("live", youtube.get("state").asText());
            assertTrue(youtube.get("since").isTextual());
            assertTrue(youtube.get("bytesSent").asLong() > 0, "the live destination got the keyframe");
            assertTrue(youtube.get("framesSent").asLong() > 0);
            for (String field : List.of("bitrateKbps", "framesDropped", "reconnects")) {
                assertTrue(youtube.get(field).isIntegralNumber(), field);
            }
            assertTrue(youtube.get("lastError").isNull());

            JsonNode refused = stream.get("destinations").get(1);
            assertEquals("backup.example.com", refused.get("host").asText(), "no user info, port or path");
            assertEquals("rejected", refused.get("state").asText());
            assertEquals("publish refused for key ***", refused.get("lastError").asText());
        });
    }

    /**
     * Alice's encoder drops: her stream is listed as reconnecting, with when and how soon the
     * relay stops waiting, while its destination stays live; her encoder comes back from a new
     * address and the stream is live again, one publisher reconnect on its count.
     */
    @Test
    void aReconnectingStreamSaysHowLongTheRelayWaitsAndKeepsItsDestinations() throws Exception {
        JavalinTest.test(app(), (server, client) -> {
            JsonNode steady = JSON.readTree(get(client, "/api/v1/stats", "alice").body().string()).get("streams").get(0);
            assertEquals("live", steady.get("state").asText());
            assertTrue(steady.get("graceEndsAt").isNull() && steady.get("graceSecondsLeft").isNull(), steady.toString());
            assertEquals(0, steady.get("publisherReconnects").asLong());

            loop.submit(() -> { alicePublisher.lost(); }).sync(); // the publisher's connection dropped, on its loop
            JsonNode report = JSON.readTree(get(client, "/api/v1/stats", "alice").body().string());
            assertEquals(List.of("s-alice"), streamIds(report), "a reconnecting stream is still listed");
            JsonNode waiting = report.get("streams").get(0);
            assertEquals("reconnecting", waiting.get("state").asText(), waiting.toString());
            Instant generated = Instant.parse(report.get("generatedAt").asText());
            Instant endsAt = Instant.parse(waiting.get("graceEndsAt").asText());
            long left = waiting.get("graceSecondsLeft").asLong();
            assertTrue(left > 0 && left <= 30, "the default 30 s grace: " + waiting);
            assertEquals(Duration.between(generated, endsAt).toMillis(), left * 1000, 1000, "the same end, in seconds left");
            assertEquals("198.51.100.7:50000", waiting.get("publisher").asText(), "the last publisher");
            assertEquals("live", waiting.at("/destinations/0/state").asText(), "YouTube is still published: " + waiting);

            Publication back = registry.beginPublish(ALICE_KEY, loop, "198.51.100.7:50001");
            JsonNode resumed = JSON.readTree(get(client, "/api/v1/stats", "alice").body().string()).get("streams").get(0);
            assertEquals("live", resumed.get("state").asText(), resumed.toString());
            assertTrue(resumed.get("graceEndsAt").isNull() && resumed.get("graceSecondsLeft").isNull());
            assertEquals(1, resumed.get("publisherReconnects").asLong(), resumed.toString());
            assertEquals("198.51.100.7:50001", resumed.get("publisher").asText());
            assertSame(alicePublisher.stream(), back.stream(), "the same stream, continued");
        });
    }

    @Test
    void noKeyOrUrlPathAppearsInAnyResponse() {
        JavalinTest.test(app(), (server, client) -> {
            for (String token : TEST_TOKENS.keySet()) {
                assertNoSecret(get(client, "/api/v1/stats", token).body().string());
            }
            assertNoSecret(get(client, "/stat", null).body().string());
        });
    }

    @Test
    void theStatPageIsServedWithoutAuthAndAllowsOnlyItsOwnScript() {
        JavalinTest.test(app(), (server, client) -> {
            var response = get(client, "/stat", null);
            assertEquals(200, response.code());
            assertTrue(response.header("Content-Type").startsWith("text/html"));
            String csp = response.header("Content-Security-Policy");
            assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-")
                    && csp.contains("connect-src 'self'"), csp);
            String html = response.body().string();
            assertTrue(html.contains("/api/v1/stats") && html.contains("/api/v1/auth/login"));
            assertFalse(html.contains("http://") || html.contains("https://") || html.contains("src="),
                    "no external assets");
            assertFalse(html.contains("innerHTML"), "data goes into the DOM as text only");
        });
    }
}
