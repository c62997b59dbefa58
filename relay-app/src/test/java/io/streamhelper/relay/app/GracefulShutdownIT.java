package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server as an operator runs it: the packaged jar ({@code java -jar}, run by Failsafe after
 * {@code package}), its streams set up
 * through the REST API, stopped with SIGTERM (what {@code docker stop} sends) while it relays to
 * two nginx-rtmp destinations. Afterwards its data directory opens cleanly and nothing is left live.
 */
class GracefulShutdownIT {

    @Test
    void sigtermEndsEveryDestinationCleanlyAndExitsZeroWithinEightSeconds() throws Exception {
        Tools.require("ffmpeg", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "shutdown-");
        Path dataDir = work.resolve("data");
        try (HookServer hooks = new HookServer();
                NginxRtmp a = NginxRtmp.start(work.resolve("a"), NginxRtmp.options().hooks(hooks));
                NginxRtmp b = NginxRtmp.start(work.resolve("b"), NginxRtmp.options().hooks(hooks))) {
            String keyA = TestKeys.destination();
            String keyB = TestKeys.destination();
            int rtmpPort = FreePorts.allocate();
            int httpPort = FreePorts.allocate();
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Path jar = Path.of("target", "streamhelper-relay.jar").toAbsolutePath();
            assertTrue(Files.isRegularFile(jar), "the packaged jar exists: " + jar);
            ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("relay.log").toFile());
            builder.environment().put("RELAY_BIND_ADDRESS", "127.0.0.1");
            builder.environment().put("RELAY_RTMP_PORT", String.valueOf(rtmpPort));
            builder.environment().put("RELAY_HTTP_PORT", String.valueOf(httpPort));
            builder.environment().put("RELAY_DATA_DIR", dataDir.toString());
            builder.environment().put("RELAY_ALLOW_PRIVATE_DESTINATIONS", "true");
            Process relay = builder.start();
            Process publisher = null;
            try {
                RelayHttp api = new RelayHttp(httpPort);
                await().atMost(Duration.ofSeconds(20)).until(() -> api.status("/api/v1/server/healthcheck") == 200);
                String token = api.signUpAndLogin("operator@example.com", "shutdown passphrase");
                var stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Shutdown\"}", token, 201);
                long streamId = stream.get("id").asLong();
                for (NginxRtmp sink : new NginxRtmp[] {a, b}) {
                    String key = sink == a ? keyA : keyB;
                    api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\","
                            + "\"rtmpUrl\":\"" + sink.rtmpUrl() + "\",\"streamKey\":\"" + key + "\"}", token, 201);
                }
                publisher = Ffmpeg.publish(Ffmpeg.testClip(Path.of("target", "clips"), 20),
                        "rtmp://127.0.0.1:" + rtmpPort + "/live/" + stream.get("key").asText(), work.resolve("publisher.log"));
                await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", keyA) && hooks.saw("publish", keyB));
                assertTrue(api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("isLive").asBoolean());

                long signalled = System.nanoTime();
                relay.destroy(); // SIGTERM
                assertTrue(relay.waitFor(8, TimeUnit.SECONDS), "exited within 8 s");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                String log = Files.readString(work.resolve("relay.log"));
                assertEquals(0, relay.exitValue(), "exit code 0 after " + tookMs + " ms:\n" + log);
                assertTrue(hooks.saw("publish_done", keyA) && hooks.saw("publish_done", keyB),
                        "both destinations saw the publish end: " + hooks.calls());
                assertTrue(log.contains("phase=stop_accepting") && log.contains("phase=end_streams")
                        && log.contains("phase=close_database") && log.contains("event=relay_stopped"),
                        "the phases are logged:\n" + log);
                // What Main printed at start for the operator: a first start in this directory, and
                // every address to use.
                assertTrue(log.contains("streamhelper-relay: created a new database at " + dataDir.resolve("relay.db")), log);
                assertTrue(log.contains("  API:          http://127.0.0.1:" + httpPort + "/api/v1\n"), log);
                assertTrue(log.contains("  RTMP ingest:  rtmp://127.0.0.1:" + rtmpPort + "/live/<stream key>\n"), log);

                // The data directory opens again, as a restarted server would open it: the stream
                // is not live, and its destinations and their keys are all still there.
                try (Database database = Database.open(DatabaseSettings.sqlite(dataDir), SecretBox.loadOrCreate(dataDir))) {
                    assertFalse(database.streams().findById(streamId).orElseThrow().live(), "the stream is not left live");
                    var destinations = database.destinations().listByStream(streamId);
                    assertEquals(2, destinations.size());
                    assertEquals(keyA, destinations.get(0).streamKey().reveal());
                }
            } finally {
                if (publisher != null) {
                    publisher.destroyForcibly();
                }
                relay.destroyForcibly();
            }
        }
    }
}
