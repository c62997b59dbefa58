package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay between real programs: ffmpeg publishes a 720p H.264 + AAC clip to our ingest; we
 * relay it to three nginx-rtmp servers and to one nginx-rtmp behind a TLS terminator (RTMPS);
 * ffprobe reads what each destination got, and nginx records it so we can count its frames.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayEndToEndTest {
    private static final int CLIP_SECONDS = 20;
    private final String ingestKey = TestKeys.ingest();

    /** Under target/, so the nginx logs and recordings of a failed run can be read afterwards. */
    private Path work;

    private HookServer hooks;
    private final List<NginxRtmp> destinations = new ArrayList<>();
    private final List<String> destinationKeys = List.of(TestKeys.destination(), TestKeys.destination(), TestKeys.destination(), TestKeys.destination());
    private Path clip;
    private long clipFrames;
    private RelayServer relay;

    @BeforeAll
    void startPeersAndRelay() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx", "openssl");
        Files.createDirectories(Path.of("target"));
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "e2e-");
        clip = Ffmpeg.testClip(Path.of("target", "clips"), CLIP_SECONDS);
        clipFrames = Ffmpeg.countVideoFrames(clip);
        hooks = new HookServer();
        List<DestinationTarget> targets = new ArrayList<>();
        for (int i = 0; i < destinationKeys.size(); i++) {
            boolean tls = i == 3;
            NginxRtmp nginx = NginxRtmp.start(work.resolve("nginx-" + i),
                    NginxRtmp.options().hooks(hooks).record(true).tls(tls));
            destinations.add(nginx);
            targets.add(new DestinationTarget("d" + i, "nginx " + i, tls ? nginx.rtmpsUrl() : nginx.rtmpUrl(),
                    Secret.of(destinationKeys.get(i))));
        }
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "End to end"), Secret.of(ingestKey), targets)));
        RelayConfig config = TestRelayConfig.with("RELAY_TRUSTED_CA_FILE", destinations.get(3).caCertificatePem().toString());
        relay = RelayServer.start(config, catalog);
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (relay != null) {
            relay.close();
        }
        for (NginxRtmp nginx : destinations) {
            nginx.close();
        }
        if (hooks != null) {
            hooks.close();
        }
    }

    private String ingestUrl(String key) {
        return "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + key;
    }

    @Test
    void relaysOnePublisherToThreeRtmpAndOneRtmpsDestination() throws Exception {
        // The query string is Twitch's bandwidth-test form: not part of the key.
        Process publisher = Ffmpeg.publish(clip, ingestUrl(ingestKey + "?bandwidthtest=false"), work.resolve("publisher.log"));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String key : destinationKeys) {
                assertTrue(hooks.calls("publish").stream().anyMatch(c -> c.name().equals(key)), key + " is live");
            }
        });

        // Probe every destination while it is live, all at once.
        List<CompletableFuture<Ffmpeg.ProbeResult>> probes = new ArrayList<>();
        for (int i = 0; i < destinations.size(); i++) {
            String url = destinations.get(i).rtmpUrl() + "/" + destinationKeys.get(i);
            probes.add(CompletableFuture.supplyAsync(() -> Ffmpeg.probe(url, Duration.ofSeconds(15))));
        }
        for (int i = 0; i < probes.size(); i++) {
            Ffmpeg.ProbeResult probe = probes.get(i).get(20, TimeUnit.SECONDS);
            String who = destinationKeys.get(i);
            assertEquals("h264", probe.video().orElseThrow(() -> new AssertionError(who + ": no video")).codecName(), who);
            assertEquals(1280, probe.video().get().width(), who);
            assertEquals(720, probe.video().get().height(), who);
            assertEquals("aac", probe.audio().orElseThrow(() -> new AssertionError(who + ": no audio")).codecName(), who);
            // nginx-rtmp rebuilds the metadata it serves from the onMetaData it received: fps only comes from there.
            assertEquals("30", probe.formatTags().get("fps"), who + " received the publisher's onMetaData: " + probe.formatTags());
        }

        assertTrue(publisher.waitFor(CLIP_SECONDS + 20, TimeUnit.SECONDS), "publisher finished");
        assertEquals(0, publisher.exitValue(), "ffmpeg published without error: " + Files.readString(work.resolve("publisher.log")));

        // Unpublish reached every destination: nginx-rtmp reports the publish as done.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String key : destinationKeys) {
                assertTrue(hooks.calls("publish_done").stream().anyMatch(c -> c.name().equals(key)), key + " ended");
            }
        });
        for (int i = 0; i < destinations.size(); i++) {
            Path recording = destinations.get(i).recording(destinationKeys.get(i));
            long frames = Ffmpeg.countVideoFrames(recording);
            assertTrue(frames >= Math.ceil(clipFrames * 0.95),
                    destinationKeys.get(i) + " received " + frames + " of " + clipFrames + " video frames");
            Ffmpeg.ProbeResult recorded = Ffmpeg.probe(recording.toString(), Duration.ofSeconds(15));
            assertEquals("h264", recorded.video().orElseThrow().codecName());
            assertEquals("aac", recorded.audio().orElseThrow().codecName());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.registry().liveStreams().isEmpty());
    }

    @Test
    void aPublisherThatVanishesEndsEveryDestinationCleanly() throws Exception {
        Map<String, Long> endedBefore = new HashMap<>();
        for (String key : destinationKeys) {
            endedBefore.put(key, hooks.calls("publish_done").stream().filter(c -> c.name().equals(key)).count());
        }
        Process publisher = Ffmpeg.publish(clip, ingestUrl(ingestKey), work.resolve("vanishing.log"));
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStreams().stream()
                .flatMap(s -> relay.registry().relays(s).stream())
                .filter(r -> r.state() == DestinationState.LIVE).count() == destinationKeys.size());
        publisher.destroyForcibly(); // SIGKILL: no FCUnpublish, no deleteStream, just a dead socket
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String key : destinationKeys) {
                long ended = hooks.calls("publish_done").stream().filter(c -> c.name().equals(key)).count();
                assertEquals(endedBefore.get(key) + 1, ended, key + " saw the publish end");
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.registry().liveStreams().isEmpty());
    }

    @Test
    void unknownKeyIsRefusedAndNothingIsRelayed() throws Exception {
        int publishesBefore = hooks.calls("publish").size();
        Process publisher = Ffmpeg.publish(clip, ingestUrl(TestKeys.ingest()), work.resolve("refused.log"));
        assertTrue(publisher.waitFor(15, TimeUnit.SECONDS), "ffmpeg gave up");
        assertNotEquals(0, publisher.exitValue(), "ffmpeg reports the refusal");
        String log = Files.readString(work.resolve("refused.log"));
        assertTrue(log.contains("NetStream.Publish.BadName") || log.contains("unknown stream key"),
                "the publisher is told why: " + log);
        assertEquals(publishesBefore, hooks.calls("publish").size(), "no destination was contacted");
        assertTrue(relay.registry().liveStreams().isEmpty());
    }
}
