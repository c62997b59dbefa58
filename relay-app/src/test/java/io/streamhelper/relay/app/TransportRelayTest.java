package io.streamhelper.relay.app;

import static io.streamhelper.relay.app.RelayViews.relayOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The relay on each RTMP transport: Java NIO (everywhere, and in Docker's default seccomp profile)
 * and io_uring (the default where the kernel allows it). ffmpeg publishes through it to a healthy
 * nginx-rtmp and to two destinations (RTMP and RTMPS) on a second one, which then freezes: it keeps
 * the connections and never reads again. The healthy one must go on receiving picture and sound,
 * the frozen ones must drop instead of queueing, the RTMPS one removed while live must have its
 * connection closed within seconds, and the server must still stop within seconds while a write to
 * the other is stuck in the kernel (on io_uring a close once waited for that write forever; on
 * both, ending a destination waited for its goodbye to leave). Where this machine offers no
 * io_uring, the server must refuse {@code RELAY_TRANSPORT=io_uring} and say why instead of quietly
 * running on something else.
 */
class TransportRelayTest {
    private static final int CLIP_SECONDS = 20;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "io_uring"})
    void relaysPastAFrozenDestinationAndStillStops(String transport) throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx", "openssl");
        String ingestKey = TestKeys.ingest();
        String healthyKey = TestKeys.destination();
        String frozenKey = TestKeys.destination();
        String removedKey = TestKeys.destination();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), transport + "-");
        try (NginxRtmp healthy = NginxRtmp.start(work.resolve("healthy"), NginxRtmp.options());
             NginxRtmp frozen = NginxRtmp.start(work.resolve("frozen"), NginxRtmp.options().tls(true))) {
            StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                    new StreamGrant("s1", transport), Secret.of(ingestKey),
                    List.of(new DestinationTarget("healthy", "healthy", healthy.rtmpUrl(), Secret.of(healthyKey)),
                            new DestinationTarget("frozen", "frozen", frozen.rtmpUrl(), Secret.of(frozenKey)),
                            new DestinationTarget("removed", "frozen too, RTMPS", frozen.rtmpsUrl(), Secret.of(removedKey))))));
            RelayConfig config = TestRelayConfig.with("RELAY_TRANSPORT", transport,
                    "RELAY_TRUSTED_CA_FILE", frozen.caCertificatePem().toString());
            if (transport.equals("io_uring") && !Transport.available().contains(Transport.IO_URING)) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> RelayServer.start(config, catalog));
                assertTrue(refused.getMessage().contains("io_uring"), refused.getMessage());
                return;
            }
            Path clip = Ffmpeg.testClip(Path.of("target", "clips"), CLIP_SECONDS);
            RelayServer relay = RelayServer.start(config, catalog);
            Process publisher = null;
            try {
                assertEquals(transport.equals("nio") ? Transport.NIO : Transport.IO_URING, relay.transport());
                publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher.log"));
                await().atMost(Duration.ofSeconds(10)).until(() -> relay.registry().liveStream("s1").isPresent());
                LiveStream stream = relay.registry().liveStream("s1").orElseThrow();
                await().atMost(Duration.ofSeconds(10)).until(() -> RelayViews.allLive(relay.registry(), stream));

                frozen.freeze();
                DestinationRelay stuck = relayOf(relay.registry(), stream, "frozen");
                DestinationRelay removed = relayOf(relay.registry(), stream, "removed");
                // Dropping starts once the socket buffers and the outgoing buffer are full: from
                // then on a write waits in the kernel for a reader that never comes.
                await().atMost(Duration.ofSeconds(CLIP_SECONDS - 5)).until(() ->
                        stuck.framesDropped() > 0 && removed.framesDropped() > 0);

                // Removed while its write is stuck: its connection must still close, at once
                // rather than when the peer reads again, and nothing else may notice.
                assertTrue(relay.registry().removeDestination("s1", "removed"));
                await().atMost(Duration.ofSeconds(5)).until(() -> !removed.hasOpenLink());
                assertEquals(DestinationState.LIVE, relayOf(relay.registry(), stream, "healthy").state());

                Ffmpeg.ProbeResult live = Ffmpeg.probe(healthy.rtmpUrl() + "/" + healthyKey, Duration.ofSeconds(10));
                assertEquals("h264", live.video().orElseThrow(() -> new AssertionError("no video")).codecName());
                assertEquals(1280, live.video().get().width());
                assertEquals("aac", live.audio().orElseThrow(() -> new AssertionError("no audio")).codecName());
                assertTrue(publisher.isAlive(), "the frozen destination did not stop the publisher");

                assertTimeoutPreemptively(Duration.ofSeconds(15), relay::close,
                        "the relay stops on " + transport + " with a write stuck on the frozen destination");
                assertTrue(relay.stoppedCleanly(), "every event loop stopped, every connection closed with it");
            } finally {
                frozen.thaw();
                if (publisher != null) {
                    publisher.destroyForcibly();
                }
            }
        }
    }
}
