package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;

/**
 * A node starting on a database other nodes already use (a second node added, or one restarted
 * after a crash) recovers only what was its own: a start-up used to mark every stream offline and
 * close every open session as interrupted, which on a shared PostgreSQL ended, in the database,
 * the broadcasts another node had on air.
 */
class NodeJoinsWhileLiveTest {

    @Test
    void aNodeStartingLeavesTheStreamsAnotherNodeRelaysLiveWithTheirSessionOpen() throws Exception {
        Tools.require("ffmpeg", "nginx");
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "node-joins-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        String[] shared = {"RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", TestKeys.encryptionKeyHex()};
        String key = TestKeys.destination();
        Process encoder = null;
        try (HookServer hooks = new HookServer();
                NginxRtmp sink = NginxRtmp.start(work.resolve("sink"), NginxRtmp.options().hooks(hooks));
                RelayServer a = RelayServer.start(TestRelayConfig.node("node-a", shared), new StaticStreamCatalog(List.of()))) {
            RelayHttp api = new RelayHttp(a.httpPort());
            String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
            JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
            long streamId = stream.get("id").asLong();
            api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                    + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sink.rtmpUrl() + "\",\"streamKey\":\"" + key + "\"}",
                    token, 201);
            encoder = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + a.rtmpPort() + "/live/"
                    + TestKeys.issued(stream.get("key").asText()), work.resolve("encoder.log"));
            await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", key));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.database().streams().findById(streamId).orElseThrow().live());

            try (RelayServer b = RelayServer.start(TestRelayConfig.node("node-b", shared), new StaticStreamCatalog(List.of()))) {
                assertTrue(a.database().streams().findById(streamId).orElseThrow().live(),
                        "node-b's start left the stream node-a relays marked live");
                JsonNode sessions = new RelayHttp(b.httpPort()).call("GET", "/api/v1/streams/" + streamId + "/sessions",
                        null, token, 200);
                String page = sessions.toString();
                assertTrue(!page.contains("interrupted"), "its session is not closed as interrupted: " + page);
                assertTrue(page.contains("\"live\":true"),
                        "and still shows as on air: " + page);
            }
            assertEquals(0, hooks.calls("publish_done").size(), "node-a went on relaying throughout");
        } finally {
            if (encoder != null) {
                encoder.destroyForcibly();
            }
        }
    }
}
