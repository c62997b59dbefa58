package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two RelayServers in one JVM on one PostgreSQL database (issue 24): ffmpeg publishes to server
 * A, and every change is made through server B's API, which does not hold the stream. B's
 * services tell the bus; A re-reads the stream and acts within a second. nginx-rtmp's hooks say
 * what each destination saw. (Without leases B's registry simply does not hold the stream: that
 * is the case under test, and the test checks it stays so.)
 */
class ClusterChangesOnPostgresTest {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    @Test
    void changesThroughTheOtherNodesApiReachTheStreamLiveOnThisOne() throws Exception {
        Tools.require("ffmpeg", "nginx");
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "cluster-changes-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        // One key for both: a keyset in one node's data directory would fail the other's key check.
        String[] postgres = {"RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", TestKeys.encryptionKeyHex()};
        String key1 = TestKeys.destination();
        String key2 = TestKeys.destination();
        String key3 = TestKeys.destination();
        try (HookServer hooks = new HookServer();
                NginxRtmp sink = NginxRtmp.start(work.resolve("sink"), NginxRtmp.options().hooks(hooks));
                RelayServer a = RelayServer.start(TestRelayConfig.node("node-a", postgres), new StaticStreamCatalog(List.of()));
                RelayServer b = RelayServer.start(TestRelayConfig.node("node-b", postgres), new StaticStreamCatalog(List.of()))) {
            assertNotEquals(a.nodeId(), b.nodeId());
            RelayHttp apiA = new RelayHttp(a.httpPort());
            RelayHttp apiB = new RelayHttp(b.httpPort());
            String tokenA = apiA.signUpAndLogin("streamer@example.com", "a long passphrase");
            String tokenB = apiB.login("streamer@example.com", "a long passphrase");
            JsonNode stream = apiA.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", tokenA, 201);
            long streamId = stream.get("id").asLong();
            String ingestKey = TestKeys.issued(stream.get("key").asText());
            long d1 = addDestination(apiA, tokenA, streamId, sink, key1);
            addDestination(apiA, tokenA, streamId, sink, key2);

            Process publisher = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + a.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("publisher.log"));
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", key1) && hooks.saw("publish", key2));
                assertTrue(b.registry().liveStreams().isEmpty(), "B does not hold the stream");

                // Disabled through B: A unpublishes it within a second of B's answer.
                apiB.call("PUT", "/api/v1/stream-destinations/" + d1, "{\"enabled\":false}", tokenB, 200);
                long tookMs = millisUntil(() -> count(hooks, "publish_done", key1) == 1);
                System.out.println("cluster-changes: disabled destination unpublished " + tookMs + " ms after B's answer");
                assertTrue(tookMs < ONE_SECOND.toMillis(), "unpublished " + tookMs + " ms after the answer");
                assertEquals(0, count(hooks, "publish_done", key2), "the other destination goes on");
                assertEquals(1, count(hooks, "publish", key2), "on its first connection");

                // Enabled again through B: it receives again.
                apiB.call("PUT", "/api/v1/stream-destinations/" + d1, "{\"enabled\":true}", tokenB, 200);
                await().atMost(Duration.ofSeconds(5)).until(() -> count(hooks, "publish", key1) == 2);
                assertEquals("h264", Ffmpeg.probe(sink.rtmpUrl() + "/" + key1, Duration.ofSeconds(15)).video()
                        .orElseThrow().codecName());

                // Added through B: it receives.
                addDestination(apiB, tokenB, streamId, sink, key3);
                await().atMost(Duration.ofSeconds(5)).until(() -> hooks.saw("publish", key3));
                assertEquals("h264", Ffmpeg.probe(sink.rtmpUrl() + "/" + key3, Duration.ofSeconds(15)).video()
                        .orElseThrow().codecName());
                assertEquals(1, count(hooks, "publish", key2), "no change cut the untouched destination");
                assertTrue(b.registry().liveStreams().isEmpty());

                // Deleted through B: every destination unpublishes and the publisher is let go.
                apiB.call("DELETE", "/api/v1/streams/" + streamId, null, tokenB, 204);
                long endedMs = millisUntil(() -> count(hooks, "publish_done", key1) == 2
                        && count(hooks, "publish_done", key2) == 1 && count(hooks, "publish_done", key3) == 1);
                System.out.println("cluster-changes: deleted stream's destinations unpublished " + endedMs + " ms after B's answer");
                assertTrue(endedMs < ONE_SECOND.toMillis(), "every destination unpublished " + endedMs + " ms after the answer");
                await().atMost(Duration.ofSeconds(10)).until(() -> !publisher.isAlive());
                assertTrue(a.registry().liveStreams().isEmpty());
            } finally {
                publisher.destroyForcibly();
            }
            assertTrue(b.clusterBus().orElseThrow().sent() >= 4, "B told the bus of each change");
            assertEquals(0, a.clusterBus().orElseThrow().malformed());
        }
    }

    @Test
    void aSingleNodeOnSqliteOpensNoBus() throws Exception {
        try (RelayServer single = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of()))) {
            assertTrue(single.clusterBus().isEmpty(), "SQLite: one node, nobody to tell");
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("cluster-bus")
                    && t.isAlive()), "no bus thread");
        }
    }

    private static long addDestination(RelayHttp api, String token, long streamId, NginxRtmp sink, String key) throws Exception {
        return api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sink.rtmpUrl() + "\",\"streamKey\":\"" + key
                + "\",\"displayName\":\"nginx\"}", token, 201).get("id").asLong();
    }

    private static long count(HookServer hooks, String call, String name) {
        return hooks.calls(call).stream().filter(c -> name.equals(c.name())).count();
    }

    /** How long after now the condition first held (polled every 10 ms, for at most 5 s). */
    private static long millisUntil(java.util.concurrent.Callable<Boolean> condition) {
        long start = System.nanoTime();
        AtomicLong heldAt = new AtomicLong();
        await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
            if (condition.call()) {
                heldAt.set(System.nanoTime());
                return true;
            }
            return false;
        });
        return Duration.ofNanos(heldAt.get() - start).toMillis();
    }
}
