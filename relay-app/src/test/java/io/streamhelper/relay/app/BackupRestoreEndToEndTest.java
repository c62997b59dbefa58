package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's done-when for backups: a server relays a live ffmpeg stream to nginx-rtmp while
 * another thread keeps adding and renaming destinations through the API; {@code backup} runs in
 * the middle of that as a separate JVM (as an operator runs it beside the server). The backup is
 * restored into a fresh data directory; a server started there has exactly the rows the manifest
 * counted, read through its API, and relays a new publish to every enabled destination (H.264 and
 * AAC at nginx-rtmp).
 */
class BackupRestoreEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The churn adds a destination this often: paced so that it spans the backup, not a timer under test. */
    private static final Duration CHURN_PACE = Duration.ofMillis(100);
    private static final int CHURN_MAX = 80;

    private record Sink(NginxRtmp nginx, String key) {
    }

    @Test
    void backupWhileLiveAndWritingThenRestoreServesAndRelaysEveryRow() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "backup-e2e-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        Path backup = work.resolve("backup");
        String[] busyApi = {"RELAY_API_RATE_PER_USER", "1000", "RELAY_API_RATE_PER_ADDRESS", "1000"};
        Map<String, String> env = TestRelayConfig.env(busyApi);
        Map<Long, Sink> sinks = new ConcurrentHashMap<>();
        try (HookServer hooks = new HookServer();
                NginxRtmp a = NginxRtmp.start(work.resolve("a"), NginxRtmp.options().hooks(hooks));
                NginxRtmp b = NginxRtmp.start(work.resolve("b"), NginxRtmp.options().hooks(hooks))) {
            String token;
            String ingestKey;
            JsonNode manifest;
            try (RelayServer relay = RelayServer.start(RelayConfig.fromEnvironment(env), new StaticStreamCatalog(List.of()))) {
                RelayHttp api = new RelayHttp(relay.httpPort());
                token = api.signUpAndLogin("operator@example.com", "backup passphrase");
                JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Live during backup\"}", token, 201);
                long streamId = stream.get("id").asLong();
                ingestKey = TestKeys.issued(stream.get("key").asText());
                for (NginxRtmp nginx : List.of(a, b)) {
                    addDestination(api, token, streamId, sinks, new Sink(nginx, TestKeys.destination()), true, "first");
                }
                Process publisher = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher-1.log"));
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger created = new AtomicInteger();
                AtomicReference<Throwable> churnFailure = new AtomicReference<>();
                Thread churn = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get() && i < CHURN_MAX; i++) {
                            NginxRtmp nginx = i % 2 == 0 ? a : b;
                            addDestination(api, token, streamId, sinks, new Sink(nginx, TestKeys.destination()), i % 8 == 0,
                                    "churn " + i);
                            created.incrementAndGet();
                            long someone = new ArrayList<>(sinks.keySet()).get(i % sinks.size());
                            api.call("PUT", "/api/v1/stream-destinations/" + someone, "{\"displayName\":\"renamed " + i + "\"}",
                                    token, 200);
                            LockSupport.parkNanos(CHURN_PACE.toNanos());
                        }
                    } catch (Throwable e) {
                        churnFailure.set(e);
                    }
                }, "api-churn");
                try {
                    await().atMost(Duration.ofSeconds(15)).until(() -> sinks.values().stream().limit(2)
                            .allMatch(sink -> hooks.saw("publish", sink.key())));
                    churn.start();
                    await().atMost(Duration.ofSeconds(10)).until(() -> created.get() >= 5);

                    JarCommand.Result result = JarCommand.run(env, "backup", backup.toString());
                    assertEquals(0, result.exitCode(), result.output());
                    int createdAtBackupEnd = created.get();
                    manifest = JSON.readTree(backup.resolve("manifest.json").toFile());
                    // The churn goes on after the backup: the snapshot is one moment in the middle.
                    await().atMost(Duration.ofSeconds(10)).until(() -> created.get() >= createdAtBackupEnd + 3);
                } finally {
                    stop.set(true);
                    churn.join(10_000);
                    publisher.destroyForcibly();
                }
                assertNull(churnFailure.get(), () -> "the API churn failed: " + churnFailure.get());
                assertTrue(relay.registry().liveStreams().size() <= 1);
                long counted = manifest.get("tables").get("stream_destinations").asLong();
                long atEnd = api.call("GET", "/api/v1/stream-destinations", null, token, 200).size();
                assertTrue(counted >= 2 + 5 && counted < atEnd, "backup in the middle: " + counted + " of " + atEnd + " rows");
            }

            // Restore into a fresh data directory and start a server there.
            Map<String, String> restoredEnv = TestRelayConfig.env(busyApi);
            JarCommand.Result restored = JarCommand.run(restoredEnv, "restore", backup.toString());
            assertEquals(0, restored.exitCode(), restored.output());
            try (RelayServer relay = RelayServer.start(RelayConfig.fromEnvironment(restoredEnv), new StaticStreamCatalog(List.of()))) {
                RelayHttp api = new RelayHttp(relay.httpPort());
                // The session of before the backup is in it too.
                assertEquals("admin", api.call("GET", "/api/v1/auth/me", null, token, 200).get("role").asText());
                JsonNode tables = manifest.get("tables");
                assertEquals(tables.get("users").asLong(), api.call("GET", "/api/v1/users", null, token, 200).size());
                assertEquals(tables.get("streams").asLong(), api.call("GET", "/api/v1/streams", null, token, 200).size());
                JsonNode destinations = api.call("GET", "/api/v1/stream-destinations", null, token, 200);
                assertEquals(tables.get("stream_destinations").asLong(), destinations.size(), "every destination row");

                List<Sink> enabled = new ArrayList<>();
                List<Sink> disabled = new ArrayList<>();
                for (JsonNode destination : destinations) {
                    Sink sink = sinks.get(destination.get("id").asLong());
                    (destination.get("enabled").asBoolean() ? enabled : disabled).add(sink);
                }
                assertTrue(enabled.size() >= 3 && !disabled.isEmpty(), "enabled " + enabled.size() + ", disabled " + disabled.size());

                int publishesBefore = hooks.calls("publish").size();
                Process publisher = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher-2.log"));
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> enabled.stream()
                            .allMatch(sink -> publishedSince(hooks, publishesBefore, sink.key())));
                    for (Sink sink : enabled) {
                        Ffmpeg.ProbeResult probe = Ffmpeg.probe(sink.nginx().rtmpUrl() + "/" + sink.key(), Duration.ofSeconds(15));
                        assertEquals("h264", probe.video().orElseThrow().codecName(), "restored destination gets video");
                        assertEquals("aac", probe.audio().orElseThrow().codecName(), "restored destination gets audio");
                    }
                    assertFalse(disabled.stream().anyMatch(sink -> publishedSince(hooks, publishesBefore, sink.key())),
                            "a disabled destination stays off");
                } finally {
                    publisher.destroyForcibly();
                    publisher.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void addDestination(RelayHttp api, String token, long streamId, Map<Long, Sink> sinks, Sink sink,
            boolean enabled, String name) throws Exception {
        long id = api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\","
                + "\"rtmpUrl\":\"" + sink.nginx().rtmpUrl() + "\",\"streamKey\":\"" + sink.key() + "\",\"enabled\":" + enabled
                + ",\"displayName\":\"" + name + "\"}", token, 201).get("id").asLong();
        sinks.put(id, sink);
    }

    private static boolean publishedSince(HookServer hooks, int index, String key) {
        List<HookServer.HookCall> publishes = hooks.calls("publish");
        return publishes.subList(Math.min(index, publishes.size()), publishes.size()).stream()
                .anyMatch(call -> key.equals(call.name()));
    }
}
