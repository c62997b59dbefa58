package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the server stops while a stream waits in its publisher grace (the encoder was killed,
 * the stream is reconnecting, its destination still published). The session must be written as
 * ended by the shutdown, not left open for the next start to call interrupted, nor called lost
 * or grace_expired. Real peers: ffmpeg publishing, nginx-rtmp as the destination, the server
 * really stopped and started again on the same data directory to read what it wrote.
 */
class ShutdownDuringGraceTest {
    @Test
    void aStreamWaitingForItsEncoderWhenTheServerStopsEndsAsShutdown() throws Exception {
        Tools.require("ffmpeg", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "shutdown-grace-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        Path dataDir = TestRelayConfig.freshDataDir();
        String destinationKey = TestKeys.destination();
        long streamId;
        try (HookServer hooks = new HookServer();
                NginxRtmp nginx = NginxRtmp.start(work.resolve("nginx"), NginxRtmp.options().hooks(hooks))) {
            RelayServer relay = RelayServer.start(TestRelayConfig.with("RELAY_DATA_DIR", dataDir.toString(),
                    "RELAY_PUBLISHER_GRACE_S", "300"), new StaticStreamCatalog(List.of()));
            Process publisher = null;
            try {
                RelayHttp api = new RelayHttp(relay.httpPort());
                String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
                JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Late show\"}", token, 201);
                streamId = stream.get("id").asLong();
                String ingestKey = TestKeys.issued(stream.get("key").asText());
                api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                        + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + nginx.rtmpUrl() + "\",\"streamKey\":\""
                        + destinationKey + "\",\"displayName\":\"nginx\"}", token, 201);

                publisher = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher.log"));
                String id = String.valueOf(streamId);
                await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", destinationKey));
                await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStream(id)
                        .map(s -> s.videoFrames() >= 30).orElse(false));
                // The encoder dies: no unpublish, the connection just goes. The stream waits.
                publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> relay.registry().liveStream(id)
                        .map(s -> s.state() == StreamState.RECONNECTING).orElse(false));
                assertFalse(hooks.saw("publish_done", destinationKey), "still published while waiting");
            } finally {
                if (publisher != null) {
                    publisher.destroyForcibly();
                }
                relay.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", destinationKey));
        }

        // The next start reads what the stopped server wrote (and would close an open row as interrupted).
        try (RelayServer again = RelayServer.start(TestRelayConfig.with("RELAY_DATA_DIR", dataDir.toString()),
                new StaticStreamCatalog(List.of()))) {
            List<StreamSessionRecord> sessions = again.database().streamSessions().page(streamId, null, 10);
            assertEquals(1, sessions.size(), sessions.toString());
            StreamSessionRecord session = sessions.get(0);
            assertEquals("shutdown", session.endReason(), session.toString());
            assertTrue(session.videoFrames() >= 30, session.toString());
            SessionReport.Destination nginx = session.destinations().get(0);
            List<String> states = nginx.transitions().stream().map(SessionReport.Transition::state).toList();
            assertEquals(List.of("connecting", "live", "stopped"), states, "published through the wait, then unpublished");
            assertFalse(session.toString().contains(destinationKey));
        }
    }
}
