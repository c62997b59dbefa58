package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.catalog.store.ClusterStore.Lease;
import io.streamhelper.relay.cluster.ClusterNotice;
import io.streamhelper.relay.cluster.ClusterOwnership;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
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
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two RelayServers in one JVM on one PostgreSQL database (each its own data directory, one
 * ENCRYPTION_KEY, node ids a and b), ffmpeg as the encoder and nginx-rtmp as the two
 * destinations. While the stream is live on a, the same key on b is refused; once a's encoder is
 * killed (a holds the stream in its 30 s grace), the encoder coming back on b takes it over: a's
 * destinations unpublish first, a's session ends as "moved", and b publishes to both.
 *
 * <p>The RELEASE and RELEASED notices between them go over PostgreSQL's LISTEN/NOTIFY (PgClusterBus).
 */
class TwoNodesOnePostgresTest {

    @Test
    void aStreamLiveOnOneNodeIsRefusedOnTheOtherAndTakenOverThereWhenItsEncoderComesBack() throws Exception {
        Tools.require("ffmpeg", "nginx");
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "two-nodes-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        String encryptionKey = TestKeys.encryptionKeyHex();
        String[] shared = {"RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", encryptionKey, "RELAY_PUBLISHER_GRACE_S", "30"};
        String first = TestKeys.destination();
        String second = TestKeys.destination();
        StaticStreamCatalog noFileStreams = new StaticStreamCatalog(List.of());
        List<Process> encoders = new java.util.ArrayList<>();
        try (HookServer hooks = new HookServer();
                NginxRtmp sink = NginxRtmp.start(work.resolve("sink"), NginxRtmp.options().hooks(hooks));
                RelayServer a = RelayServer.start(TestRelayConfig.node("a", shared), noFileStreams);
                RelayServer b = RelayServer.start(TestRelayConfig.node("b", shared), noFileStreams)) {
            RelayHttp api = new RelayHttp(a.httpPort());
            String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
            JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
            long streamId = stream.get("id").asLong();
            String ingestKey = TestKeys.issued(stream.get("key").asText());
            for (String key : List.of(first, second)) {
                api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                        + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sink.rtmpUrl() + "\",\"streamKey\":\"" + key
                        + "\"}", token, 201);
            }

            Process onA = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + a.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("encoder-a.log"));
            encoders.add(onA);
            await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", first) && hooks.saw("publish", second));
            assertEquals(Optional.of(new Lease(streamId, "a", Lease.LIVE, true)),
                    a.database().cluster().lease(streamId, ClusterOwnership.EXPIRY));

            // A second encoder with the key, on the other node: refused as it would be on a.
            Process duplicate = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + b.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("encoder-duplicate.log"));
            encoders.add(duplicate);
            await().atMost(Duration.ofSeconds(15)).until(() -> !duplicate.isAlive());
            assertEquals(1, b.registry().counters().publishRejections(PublishRejectedException.Reason.ALREADY_LIVE));
            assertTrue(b.registry().liveStreams().isEmpty());
            assertEquals(2, hooks.calls("publish").size(), "b touched no destination");

            // The encoder dies (no unpublish): a holds the stream in its grace, destinations published.
            onA.destroyForcibly().waitFor();
            await().atMost(Duration.ofSeconds(15)).until(() -> a.database().cluster().lease(streamId, ClusterOwnership.EXPIRY)
                    .map(l -> l.state().equals(Lease.RECONNECTING)).orElse(false));
            assertEquals(0, hooks.calls("publish_done").size(), "still published through the grace");

            // It comes back, on b.
            Process onB = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + b.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("encoder-b.log"));
            encoders.add(onB);
            await().atMost(Duration.ofSeconds(20)).until(() -> hooks.calls("publish").size() == 4);
            for (String key : List.of(first, second)) {
                List<String> atThisKey = hooks.calls().stream().filter(c -> key.equals(c.name())).map(HookServer.HookCall::call)
                        .toList();
                assertEquals(List.of("publish", "publish_done", "publish"), atThisKey,
                        "a unpublished before b published: never two publishers at one destination");
            }
            assertTrue(a.registry().liveStreams().isEmpty());
            assertEquals(String.valueOf(streamId), b.registry().liveStreams().iterator().next().id());
            assertEquals(Optional.of(new Lease(streamId, "b", Lease.LIVE, true)),
                    b.database().cluster().lease(streamId, ClusterOwnership.EXPIRY));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.call("GET", "/api/v1/streams/" + streamId + "/sessions",
                    null, token, 200).toString().contains("\"endReason\":\"moved\""));
            Ffmpeg.ProbeResult probe = Ffmpeg.probe(sink.rtmpUrl() + "/" + second, Duration.ofSeconds(15));
            assertEquals("h264", probe.video().orElseThrow().codecName(), "b relays the picture");
        } finally {
            encoders.forEach(Process::destroyForcibly);
        }
    }
}
