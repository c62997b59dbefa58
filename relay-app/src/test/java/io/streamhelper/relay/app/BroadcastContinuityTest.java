package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.FrameReader;
import io.streamhelper.relay.testkit.FrameReader.Frame;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.LiveEncoder;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.StallingTcpProxy;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broadcast outlives its encoder's connection (issue 19), seen from the outside with real
 * peers: ffmpeg encoding a live test picture publishes to the relay, which relays it to an
 * nginx-rtmp destination whose on_publish/on_publish_done hooks say what a platform would have
 * seen, and ffprobe watching that destination says what a viewer would have seen. An encoder
 * that crashes or whose network goes silent and comes back within the grace continues the same
 * broadcast (one publish at the destination, no publish_done, a timeline that only moves on);
 * one that never comes back ends it after the grace; a clean stop ends it at once.
 * Each test starts its own relay with the grace and takeover settings it is about.
 */
class BroadcastContinuityTest {
    private final String ingestKey = TestKeys.ingest();
    private final String destinationKey = TestKeys.destination();
    private final LogLines logLines = new LogLines();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private Path work;
    private HookServer hooks;
    private NginxRtmp destination;
    private RelayServer relay;
    private RelayHttp api;
    private String token;

    @BeforeEach
    void startDestination() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx", "stdbuf");
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "continuity-");
        hooks = new HookServer();
        destination = NginxRtmp.start(work.resolve("nginx"), NginxRtmp.options().hooks(hooks));
        logLines.attach();
    }

    private void startRelay(int graceSeconds) throws Exception {
        DestinationTarget target = new DestinationTarget("d1", "nginx", destination.rtmpUrl(), Secret.of(destinationKey));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "Continuity"), Secret.of(ingestKey), List.of(target))));
        relay = RelayServer.start(TestRelayConfig.with(
                "RELAY_PUBLISHER_GRACE_S", String.valueOf(graceSeconds),
                "RELAY_PUBLISHER_TAKEOVER_MS", "2000"), catalog);
        api = new RelayHttp(relay.httpPort());
        // The first account is the admin, who sees the streams of the streams file in /stats.
        token = api.signUpAndLogin("operator@example.com", "a long passphrase");
    }

    @AfterEach
    void stopEverything() throws Exception {
        Closing.all(toClose, relay, destination, hooks);
        logLines.detach();
        for (String line : logLines.all) {
            assertFalse(line.contains(ingestKey), "the ingest key was logged: " + line.replace(ingestKey, "<ingest key>"));
            assertFalse(line.contains(destinationKey), "the destination key was logged: " + line.replace(destinationKey, "<key>"));
        }
        assertFalse(logLines.all.isEmpty(), "the relay's log lines were captured");
    }

    @Test
    void anEncoderKilledAndRestartedContinuesTheSameBroadcast() throws Exception {
        startRelay(30);
        LiveEncoder first = encoder(ingestUrl(), 640, 360, null, "encoder-1.log");
        awaitPublishedAtDestination();
        FrameReader viewer = viewer("viewer.err");
        await().atMost(Duration.ofSeconds(15)).until(() -> viewer.videoFrames().size() >= 30);

        long killedAt = System.nanoTime();
        first.kill();
        // The scenario, not a wait for something: the encoder stays away for 3 s, then comes back.
        Thread.sleep(3_000);
        long restartedAt = System.nanoTime();
        encoder(ingestUrl(), 640, 360, null, "encoder-2.log");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> viewer.videoFrames().stream().filter(f -> f.seenAtNanos() > restartedAt).count() >= 60);

        assertOnePublishNoEnd();
        assertTrue(viewer.isReading(), "the viewer kept playing across the gap");
        List<Frame> video = viewer.videoFrames();
        assertNeverDecreases(viewer.frames());
        int gap = largestStep(video);
        long jumpMillis = video.get(gap + 1).dtsMillis() - video.get(gap).dtsMillis();
        long awayMillis = TimeUnit.NANOSECONDS.toMillis(restartedAt - killedAt);
        long untilSeenMillis = TimeUnit.NANOSECONDS.toMillis(video.get(gap + 1).seenAtNanos() - killedAt);
        observed("timeline advanced " + jumpMillis + " ms across an encoder away " + awayMillis + " ms (seen again after "
                + untilSeenMillis + " ms)");
        assertTrue(jumpMillis >= awayMillis - 500, "the timeline advanced by the real gap: " + jumpMillis
                + " ms across an encoder away for " + awayMillis + " ms");
        assertTrue(jumpMillis <= untilSeenMillis + 1_000, "and not by more: " + jumpMillis + " ms, the viewer saw the new encoder "
                + untilSeenMillis + " ms after the kill");
        List<Frame> after = video.subList(gap + 1, video.size());
        assertTrue(after.get(0).keyFrame(), "video resumes at a keyframe: " + after.get(0));
        assertTrue(after.size() >= 60, "frames decoded after the gap: " + after.size());
        assertTrue(after.stream().allMatch(f -> f.width() == 640 && f.height() == 360), "decoded at 640x360: " + sizes(after));
    }

    @Test
    void anEncoderWhoseNetworkGoesSilentIsTakenOverByTheNextOne() throws Exception {
        startRelay(30);
        StallingTcpProxy network = StallingTcpProxy.start(relay.rtmpPort());
        toClose.add(network);
        LiveEncoder first = encoder("rtmp://127.0.0.1:" + network.port() + "/live/" + ingestKey, 640, 360, null, "encoder-1.log");
        awaitPublishedAtDestination();
        await().atMost(Duration.ofSeconds(10)).until(() -> framesSent() >= 30);

        // While the first encoder sends, a second one with the key is refused, and says why.
        LiveEncoder intruder = encoder(ingestUrl(), 640, 360, null, "encoder-refused.log");
        assertTrue(intruder.process().waitFor(15, TimeUnit.SECONDS), "the second encoder gave up");
        assertNotEquals(0, intruder.process().exitValue(), "the second encoder was refused");
        assertTrue(intruder.output().contains("live from another encoder"), "and told why: "
                + intruder.output().replace(ingestKey, "<key>"));
        assertTrue(first.isAlive(), "the first encoder goes on");

        network.stall();
        long stalledAt = System.nanoTime();
        // Like OBS, the encoder on the new network retries until it is let in.
        AtomicReference<LiveEncoder> newcomer = new AtomicReference<>();
        List<Long> baseline = new CopyOnWriteArrayList<>();
        int[] attempts = {0};
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            LiveEncoder current = newcomer.get();
            if (current == null || !current.isAlive()) {
                baseline.add(framesSent());
                newcomer.set(encoder(ingestUrl(), 640, 360, null, "encoder-new-" + (++attempts[0]) + ".log"));
                return false;
            }
            return framesSent() >= baseline.get(baseline.size() - 1) + 10;
        });
        long acceptedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalledAt);
        observed("new encoder feeding the destination " + acceptedMillis + " ms after the stall, attempt " + attempts[0]
                + ", takeover 2000 ms");

        assertTrue(newcomer.get().isAlive(), "the new encoder is live");
        // The relay closed the silent encoder's connection (its FIN is lost in the dead path):
        // only the new encoder's is left, so the old one cannot hold a slot until the idle timeout.
        await().atMost(Duration.ofSeconds(2)).until(() -> relay.openIngestConnections() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> framesSent() >= baseline.get(baseline.size() - 1) + 60);
        assertOnePublishNoEnd();
        assertTrue(acceptedMillis <= 3_000, "accepted " + acceptedMillis + " ms after the network went silent");
    }

    @Test
    void anEncoderThatNeverComesBackEndsTheBroadcastAfterTheGrace() throws Exception {
        startRelay(6);
        LiveEncoder first = encoder(ingestUrl(), 640, 360, null, "encoder-1.log");
        awaitPublishedAtDestination();
        await().atMost(Duration.ofSeconds(5)).until(() -> liveStreams().size() == 1);

        long killedAt = System.nanoTime();
        first.kill();
        // Within the grace the destination stays published (no publish_done for 5.5 of the 6 s), and
        // the API still lists the stream with its destination live, waiting for the encoder.
        await().during(Duration.ofMillis(5_500)).atMost(Duration.ofMillis(5_800)).pollInterval(Duration.ofMillis(100))
                .until(() -> hooks.calls("publish_done").isEmpty() && liveStreams().size() == 1
                        && "live".equals(stats().path("streams").path(0).path("destinations").path(0).path("state").asText()));
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50)).until(() -> !hooks.calls("publish_done").isEmpty());
        long endedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

        observed("publish_done " + endedMillis + " ms after the kill, grace 6 s");
        assertTrue(endedMillis >= 6_000, "the destination ended only after the 6 s grace, at " + endedMillis + " ms");
        assertEquals(1, hooks.calls("publish_done").size(), hooks.calls().toString());
        await().atMost(Duration.ofSeconds(2)).until(() -> liveStreams().isEmpty());
    }

    @Test
    void aCleanStopEndsTheBroadcastAtOnce() throws Exception {
        startRelay(30);
        // A finite input: at its end ffmpeg unpublishes (FCUnpublish, deleteStream) as a streamer's stop does.
        LiveEncoder encoder = encoder(ingestUrl(), 640, 360, Duration.ofSeconds(4), "encoder-1.log");
        awaitPublishedAtDestination();
        assertTrue(encoder.process().waitFor(20, TimeUnit.SECONDS), "the encoder reached the end of its input");
        assertEquals(0, encoder.process().exitValue(), "it ended cleanly");
        long stoppedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> hooks.saw("publish_done", destinationKey));
        long endedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        observed("publish_done " + endedMillis + " ms after a clean stop, grace 30 s");
        assertTrue(endedMillis < 2_000, "the destination ended " + endedMillis + " ms after the stop, not after the 30 s grace");
        await().atMost(Duration.ofSeconds(2)).until(() -> liveStreams().isEmpty());
    }

    @Test
    void aReconnectAtAnotherSizeGivesTheDestinationAStreamOfTheNewSize() throws Exception {
        startRelay(30);
        LiveEncoder first = encoder(ingestUrl(), 1280, 720, null, "encoder-720p.log");
        awaitPublishedAtDestination();
        FrameReader early = viewer("early-viewer.err");
        await().atMost(Duration.ofSeconds(15)).until(() -> early.videoFrames().size() >= 30);

        first.kill();
        // The scenario, not a wait for something: the encoder stays away for 3 s, then comes back smaller.
        Thread.sleep(3_000);
        encoder(ingestUrl(), 640, 360, null, "encoder-360p.log");
        await().atMost(Duration.ofSeconds(15)).until(() -> early.videoFrames().stream()
                .filter(f -> f.width() == 640 && f.height() == 360).count() >= 30);

        FrameReader late = viewer("late-viewer.err");
        await().atMost(Duration.ofSeconds(15)).until(() -> late.videoFrames().size() >= 30);

        assertOnePublishNoEnd();
        List<Frame> before = early.videoFrames();
        assertTrue(before.stream().anyMatch(f -> f.width() == 1280 && f.height() == 720), "the early viewer decoded 720p: " + sizes(before));
        assertTrue(early.isReading(), "the early viewer kept playing across the change");
        assertNeverDecreases(early.frames());
        assertTrue(late.videoFrames().stream().allMatch(f -> f.width() == 640 && f.height() == 360),
                "the late viewer decodes 640x360 only: " + sizes(late.videoFrames()));
    }

    /** A measured figure, for whoever reads the test's output when tuning margins (never a key). */
    private static void observed(String what) {
        System.out.println("BroadcastContinuityTest observed: " + what);
    }

    private String ingestUrl() {
        return "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey;
    }

    private LiveEncoder encoder(String url, int width, int height, Duration length, String log) {
        LiveEncoder encoder = LiveEncoder.start(url, width, height, length, work.resolve(log));
        toClose.add(encoder);
        return encoder;
    }

    /** A player on the destination that gives up only after 15 s without a byte (the gaps here are shorter). */
    private FrameReader viewer(String errorLog) {
        FrameReader reader = FrameReader.start(destination.rtmpUrl() + "/" + destinationKey, 15, work.resolve(errorLog));
        toClose.add(reader);
        return reader;
    }

    private void awaitPublishedAtDestination() {
        await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", destinationKey));
    }

    /** What a platform would have seen: one broadcast, never ended. */
    private void assertOnePublishNoEnd() {
        assertEquals(1, hooks.calls("publish").size(), "one publish at the destination: " + calls());
        assertEquals(0, hooks.calls("publish_done").size(), "no publish_done at the destination: " + calls());
    }

    private String calls() {
        return hooks.calls().stream().map(HookServer.HookCall::call).toList().toString();
    }

    /** Each media type's timestamps, in the order the viewer decoded them, never go back. */
    private static void assertNeverDecreases(List<Frame> frames) {
        for (String type : List.of("video", "audio")) {
            List<Frame> ofType = frames.stream().filter(f -> type.equals(f.mediaType())).toList();
            for (int i = 1; i < ofType.size(); i++) {
                assertTrue(ofType.get(i).dtsMillis() >= ofType.get(i - 1).dtsMillis(), type + " timestamps went back at frame "
                        + i + ": " + ofType.get(i - 1).dtsMillis() + " -> " + ofType.get(i).dtsMillis() + " ms");
            }
        }
    }

    /** The index of the frame before the largest step in timestamps: the encoder's absence. */
    private static int largestStep(List<Frame> frames) {
        int at = 0;
        for (int i = 1; i + 1 < frames.size(); i++) {
            if (frames.get(i + 1).dtsMillis() - frames.get(i).dtsMillis() > frames.get(at + 1).dtsMillis() - frames.get(at).dtsMillis()) {
                at = i;
            }
        }
        return at;
    }

    private static String sizes(List<Frame> frames) {
        return frames.stream().map(f -> f.width() + "x" + f.height()).distinct().toList().toString();
    }

    private JsonNode stats() throws Exception {
        return api.call("GET", "/api/v1/stats", null, token, 200);
    }

    private List<String> liveStreams() throws Exception {
        List<String> ids = new ArrayList<>();
        stats().path("streams").forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    /** Frames the relay sent to the destination so far, from the stats (0 while the stream is not listed). */
    private long framesSent() throws Exception {
        JsonNode streams = stats().path("streams");
        return streams.isEmpty() ? 0 : streams.get(0).path("destinations").path(0).path("framesSent").asLong();
    }
}
