package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.DroppableTcpProxy;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.Obs;
import io.streamhelper.relay.testkit.ObsProfile;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 with the encoder streamers use: real OBS Studio (headless) publishes through a TCP
 * proxy to the relay, which relays to nginx-rtmp. The proxy drops OBS's connection the way a lost
 * network does (no FCUnpublish, no FIN; OBS's send fails on a reset); OBS reconnects by itself,
 * after its own Retry Delay (1 s, growing 1.5 times per failed try), and publishes the same key
 * again. The destination must not notice: nginx-rtmp's own on_publish / on_publish_done hooks
 * report one publish and no end, and a player reads video from it after the reconnect. A
 * streamer quitting OBS, on the other hand, ends the broadcast there at once.
 */
class ObsReconnectTest {
    private Path work;
    private NginxDestination destination;
    private RelayServer relay;
    private DroppableTcpProxy network;
    private Obs obs;
    private long recordedBeforeTheDrop;

    @BeforeEach
    void start() throws Exception {
        Tools.require("ffprobe", "nginx");
        Obs.require();
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "obs-reconnect-");
        destination = NginxDestination.start(work.resolve("nginx"));
        // The server's defaults for a lost publisher (TestRelayConfig turns the grace off).
        relay = RelayServer.start(TestRelayConfig.with("RELAY_PUBLISHER_GRACE_S", "30", "RELAY_PUBLISHER_TAKEOVER_MS", "2000"),
                destination.catalog("OBS"));
        network = DroppableTcpProxy.to(relay.rtmpPort());
    }

    @AfterEach
    void stop() {
        // OBS first, in every outcome: it would otherwise keep reconnecting into whatever follows.
        if (obs != null) {
            obs.close();
        }
        if (network != null) {
            network.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (destination != null) {
            destination.close();
        }
    }

    @Test
    void obsReconnectingAfterADroppedNetworkContinuesTheSamePublishAtTheDestination() throws Exception {
        streamUntilTheDestinationPlaysH264AndAac();

        assertEquals(1, network.drop(), "OBS's one connection was reset on both sides");

        assertReconnectedAndTheDestinationNeverNoticed();
    }

    /**
     * What a real dropped network usually does: OBS's send fails and it reconnects, but the relay
     * is told nothing (no FIN, no RST), so OBS's new publish arrives while the old connection is
     * still open, silent, on the relay's side.
     */
    @Test
    void obsReconnectingWhileTheRelayStillHoldsItsSilentOldConnectionTakesTheStreamOver() throws Exception {
        streamUntilTheDestinationPlaysH264AndAac();

        assertEquals(1, network.vanish(), "OBS's connection was reset on its side only");

        assertReconnectedAndTheDestinationNeverNoticed();
    }

    /**
     * The other half of the rule: a streamer who quits OBS ends the broadcast at once, not after
     * the grace (30 s by default) a lost connection gets. OBS's stop sends FCUnpublish and
     * deleteStream, which the relay must take as the clean end it is.
     */
    @Test
    void quittingObsEndsTheBroadcastAtTheDestinationAtOnce() throws Exception {
        streamUntilTheDestinationPlaysH264AndAac();

        for (int attempt = 1; Obs.failedToQuit(obs.quit(Duration.ofSeconds(15))) && attempt < 3; attempt++) {
            // OBS crashed or hung on its way out (Obs.failedToQuit) before its output stopped:
            // killed, it is a lost connection to the relay, which holds the stream in its grace.
            // That is not the quit under test, so quit again from a new OBS, which continues the
            // same stream: the destination still sees one publish, and its end only at a clean quit.
            System.out.println("ObsReconnectTest: OBS failed to quit (attempt " + attempt + "), quitting again from a new OBS");
            obs.close();
            streamUntilTheDestinationPlaysH264AndAac();
        }

        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertEquals(1, destination.hooks.calls("publish_done").size(), "the destination saw the stream end: " + explain()));
        assertEquals(1, destination.hooks.calls("publish").size(), explain());
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.registry().liveStreams().isEmpty());
    }

    private void streamUntilTheDestinationPlaysH264AndAac() throws Exception {
        obs = Obs.startStreaming(work.resolve("obs"), ObsProfile
                .customRtmp("rtmp://127.0.0.1:" + network.port() + "/live", destination.ingestKey)
                .reconnect(1, 20));
        awaitOrExplain(Duration.ofSeconds(30), "the destination is published", () -> destination.hooks.calls("publish").size() == 1);
        destination.assertPlaysH264AndAac(640, 360, Duration.ofSeconds(20));
        assertEquals(1, obs.connections(), obs.describe(20));
        // Some seconds of the broadcast in the destination's recording before anything happens to it.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> Ffmpeg.countVideoFrames(destination.recording()) >= 90);
        recordedBeforeTheDrop = Ffmpeg.countVideoFrames(destination.recording());
    }

    private void assertReconnectedAndTheDestinationNeverNoticed() throws Exception {
        awaitOrExplain(Duration.ofSeconds(30), "OBS reconnected by itself and published again",
                () -> obs.connections() >= 2 && network.openConnections() == 1);
        // Read from the destination only now: whatever it plays came through the new connection.
        long framesAfter = Ffmpeg.countVideoFramesLive(destination.player(), 4);
        assertTrue(framesAfter >= 30, "the destination plays video after the reconnect: " + framesAfter
                + " frames in 4 s; " + explain());

        assertEquals(1, destination.hooks.calls("publish").size(), "the destination saw one publish: " + explain());
        assertEquals(0, destination.hooks.calls("publish_done").size(), "the destination saw the stream end: " + explain());
        assertTrue(obs.isRunning(), obs.describe(20));

        // One broadcast in the destination's recording: what came before the drop, then what came after, in order.
        long recorded = Ffmpeg.countVideoFrames(destination.recording());
        assertTrue(recorded >= recordedBeforeTheDrop + framesAfter, "the recording holds " + recorded + " video frames, "
                + recordedBeforeTheDrop + " recorded before the drop and " + framesAfter + " played after the reconnect");
        assertTimestampsNeverGoBack(destination.recording());
    }

    /** Each stream's decoding timestamps in an FLV file, as ffprobe reads them, never decrease. */
    private static void assertTimestampsNeverGoBack(Path flv) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "packet=codec_type,dts_time",
                "-of", "csv=p=0", flv.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ffprobe finished");
        Map<String, Double> last = new HashMap<>();
        int packets = 0;
        for (String line : lines) {
            String[] f = line.split(",");
            if (f.length < 2 || f[1].isBlank() || f[1].equals("N/A")) {
                continue;
            }
            double dts = Double.parseDouble(f[1]);
            Double before = last.put(f[0], dts);
            assertTrue(before == null || dts >= before, f[0] + " timestamps go back from " + before + " s to " + dts
                    + " s at packet " + packets + " of the recording");
            packets++;
        }
        assertTrue(last.containsKey("video") && last.containsKey("audio"), "the recording has video and audio: " + last);
    }

    private void awaitOrExplain(Duration atMost, String what, Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!obs.isRunning()) {
                    throw new AssertionError("OBS stopped before " + what + "; " + explain());
                }
                return condition.call();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not within " + atMost.toSeconds() + " s: " + what + "; " + explain(), e);
        }
    }

    /** What each party says: the destination's hooks, the proxy, the relay's streams, OBS's log. */
    private String explain() {
        // The calls' names only: each call also holds the destination key, which no output may show.
        return "hooks " + destination.hooks.calls().stream().map(HookServer.HookCall::call).toList()
                + "; proxy accepted " + network.accepted() + " dropped " + network.dropped() + " open " + network.openConnections()
                + "; relay live streams " + relay.registry().liveStreams().size() + " on " + relay.transport()
                + "; nginx " + (destination.nginx.isRunning() ? "running" : "down") + "; " + obs.describe(25);
    }
}
