package io.streamhelper.relay.app;

import static io.streamhelper.relay.app.RelayViews.relayOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * "If YouTube hiccups, Twitch does not notice, and YouTube comes back by itself", with real
 * nginx-rtmp destinations that die, refuse, or hang, while ffmpeg publishes a 20 s clip.
 */
class DestinationFailureTest {
    private static final int CLIP_SECONDS = 20;
    private final String ingestKey = TestKeys.ingest();
    private final List<String> keys = List.of(TestKeys.destination(), TestKeys.destination(), TestKeys.destination());
    private final String lateKey = TestKeys.destination();

    private Path work;
    private HookServer hooks;
    private final List<NginxRtmp> nginx = new ArrayList<>();
    private RelayServer relay;
    private Path clip;
    private long clipFrames;

    @BeforeEach
    void start() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "failure-");
        clip = Ffmpeg.testClip(Path.of("target", "clips"), CLIP_SECONDS);
        clipFrames = Ffmpeg.countVideoFrames(clip);
        hooks = new HookServer();
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        nginx.forEach(NginxRtmp::close);
        hooks.close();
    }

    /** Three nginx-rtmp destinations, keys[0..2], and the relay publishing to them. */
    private void startRelayWithThreeDestinations() throws Exception {
        List<DestinationTarget> targets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NginxRtmp n = NginxRtmp.start(work.resolve("nginx-" + i), NginxRtmp.options().hooks(hooks).record(true));
            nginx.add(n);
            targets.add(new DestinationTarget("d" + i, "nginx " + i, n.rtmpUrl(), Secret.of(keys.get(i))));
        }
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "Failures"), Secret.of(ingestKey), targets)));
        relay = RelayServer.start(TestRelayConfig.with(), catalog);
    }

    private Process publish(String log) throws Exception {
        return Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey, work.resolve(log));
    }

    private LiveStream liveStream() {
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.registry().liveStream("s1").isPresent());
        return relay.registry().liveStream("s1").orElseThrow();
    }

    private void awaitAllLive(LiveStream stream) {
        awaitRelay(stream, Duration.ofSeconds(10), "every destination live", () -> RelayViews.allLive(relay.registry(), stream));
    }

    /**
     * Waits for what the relay says of its destinations; a timeout fails with the relay's view,
     * whether each nginx runs, and the transport, on the one line CI's summary shows.
     */
    private void awaitRelay(LiveStream stream, Duration atMost, String what, Callable<Boolean> condition) {
        try {
            await().atMost(atMost).until(condition);
        } catch (ConditionTimeoutException e) {
            StringBuilder nginxState = new StringBuilder();
            for (int i = 0; i < nginx.size(); i++) {
                nginxState.append(" nginx ").append(i).append(nginx.get(i).isRunning() ? " running" : " down");
            }
            throw new AssertionError("not within " + atMost.toSeconds() + " s: " + what + "; relay on " + relay.transport()
                    + ": " + RelayViews.describe(relay.registry(), stream) + ";" + nginxState, e);
        }
    }

    private void assertReceivedEveryFrame(int index) {
        long frames = Ffmpeg.countVideoFrames(nginx.get(index).recording(keys.get(index)));
        assertTrue(frames >= Math.ceil(clipFrames * 0.95), "destination d" + index + " received " + frames + " of " + clipFrames);
    }

    private void finish(Process publisher, String log) throws Exception {
        assertTrue(publisher.waitFor(CLIP_SECONDS + 20, TimeUnit.SECONDS));
        assertEquals(0, publisher.exitValue(), Files.readString(work.resolve(log)));
    }

    @Test
    void aDestinationThatDiesComesBackAndTheOthersMissNothing() throws Exception {
        startRelayWithThreeDestinations();
        Process publisher = publish("publisher.log");
        LiveStream stream = liveStream();
        awaitAllLive(stream);

        nginx.get(1).stop();
        DestinationRelay dying = relayOf(relay.registry(), stream, "d1");
        awaitRelay(stream, Duration.ofSeconds(5), "d1 retrying after its nginx was killed",
                () -> dying.state() == DestinationState.RETRYING);
        long stoppedAt = System.nanoTime();
        // It stays dead while the relay tries again twice (after 1 and 2 s of backoff, each refused at
        // once); the backoff itself is timed in virtual time in DestinationRelayTest.
        awaitRelay(stream, Duration.ofSeconds(8), "d1 retried twice while its nginx was down",
                () -> dying.reconnects() >= 2 && dying.state() == DestinationState.RETRYING);
        nginx.get(1).restart();
        // Backoff 1, 2, 4 s (±20 %) since the failure: the next attempt comes within ~9 s of it.
        awaitRelay(stream, Duration.ofSeconds(12), "d1 live again after its nginx restarted",
                () -> dying.state() == DestinationState.LIVE);
        long downSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stoppedAt);
        assertTrue(downSeconds <= 12, "back within its backoff, after " + downSeconds + " s");
        assertTrue(dying.reconnects() >= 1);
        assertTrue(relay.registry().counters().reconnects() >= 1, "the metrics count it too");
        assertTrue(relay.registry().counters().destinationFailures() >= 1);
        assertEquals(2, hooks.calls("publish").stream().filter(c -> keys.get(1).equals(c.name())).count(),
                "published again after the restart");

        // Taken while live: once the publish ends, the registry no longer holds the stream's relays.
        DestinationRelay d0 = relayOf(relay.registry(), stream, "d0");
        DestinationRelay d2 = relayOf(relay.registry(), stream, "d2");
        finish(publisher, "publisher.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", keys.get(0)) && hooks.saw("publish_done", keys.get(2)));
        assertReceivedEveryFrame(0);
        assertReceivedEveryFrame(2);
        assertEquals(0, d0.reconnects());
        assertEquals(0, d2.reconnects());
    }

    @Test
    void destinationsAddedOrRemovedWhileLiveTakeEffectAtOnce() throws Exception {
        startRelayWithThreeDestinations();
        NginxRtmp late = NginxRtmp.start(work.resolve("nginx-late"), NginxRtmp.options().hooks(hooks).record(true));
        nginx.add(late);
        Process publisher = publish("publisher.log");
        LiveStream stream = liveStream();
        awaitAllLive(stream);
        // Mid-GOP on purpose: the clip has a keyframe every 60 frames (2 s at 30 fps), so frame
        // 160 is 40 frames past one. Waiting for the stream to get there, not for a time.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> stream.videoFrames() >= 160);

        long addedAt = System.nanoTime();
        assertTrue(relay.registry().applyDestination("s1", new DestinationTarget("late", "late", late.rtmpUrl(), Secret.of(lateKey))));
        await().atMost(Duration.ofSeconds(2)).until(() -> hooks.saw("publish", lateKey));
        long liveAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - addedAt);
        assertTrue(liveAfterMs < 2000, "publishing within one keyframe interval: " + liveAfterMs + " ms");
        assertEquals(3, relay.registry().relays(stream).stream().filter(r -> !r.target().id().equals("late")).count(), "others untouched");
        assertTrue(relay.registry().relays(stream).stream().filter(r -> !r.target().id().equals("late")).allMatch(r -> r.reconnects() == 0));

        // Removing one while live ends its publish at once; the others go on.
        assertTrue(relay.registry().removeDestination("s1", "d2"));
        await().atMost(Duration.ofSeconds(3)).until(() -> hooks.saw("publish_done", keys.get(2)));
        assertTrue(publisher.isAlive());
        assertEquals(DestinationState.LIVE, relayOf(relay.registry(), stream, "d0").state());

        finish(publisher, "publisher.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", lateKey));
        assertTrue(Ffmpeg.startsWithDecodablePicture(late.recording(lateKey)), "the late joiner's first frame is a keyframe");
        long lateFrames = Ffmpeg.countVideoFrames(late.recording(lateKey));
        // It joined at the cached GOP's keyframe, at most 2 s before it was added: ~15 s of the clip.
        assertTrue(lateFrames >= 14 * 30, "late joiner received " + lateFrames + " frames");
        assertReceivedEveryFrame(0);
    }

    @Test
    void aDestinationThatRefusesTheKeyIsRejectedAndNotHammered() throws Exception {
        hooks.refuse(keys.get(1));
        startRelayWithThreeDestinations();
        Process publisher = publish("publisher.log");
        LiveStream stream = liveStream();
        DestinationRelay refused = relayOf(relay.registry(), stream, "d1");
        awaitRelay(stream, Duration.ofSeconds(10), "d1 rejected", () -> refused.state() == DestinationState.REJECTED);
        assertFalse(refused.lastError().contains(keys.get(1)), refused.lastError());

        finish(publisher, "publisher.log");
        // nginx-rtmp refuses by hanging up, which a crash would look like: one more attempt
        // confirms it, then it is retried only rarely.
        assertEquals(2, hooks.calls("publish").stream().filter(c -> keys.get(1).equals(c.name())).count(),
                "two attempts in 20 s: the hang-up confirmed once, then left alone");
        assertEquals(1, refused.reconnects(), "never reconnected after the confirmed refusal");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", keys.get(0)) && hooks.saw("publish_done", keys.get(2)));
        assertReceivedEveryFrame(0);
        assertReceivedEveryFrame(2);
    }

    @Test
    void aDestinationThatHangsDoesNotSlowTheOthersAndMemoryStaysBounded() throws Exception {
        startRelayWithThreeDestinations();
        Process publisher = publish("publisher.log");
        LiveStream stream = liveStream();
        awaitAllLive(stream);

        nginx.get(1).freeze(); // accepts, never reads again
        DestinationRelay hung = relayOf(relay.registry(), stream, "d1");
        long maxDirect = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLIP_SECONDS + 20);
        while (publisher.isAlive() && System.nanoTime() < deadline) {
            maxDirect = Math.max(maxDirect, PlatformDependent.usedDirectMemory());
            maxDirect = Math.max(maxDirect, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
            publisher.waitFor(200, TimeUnit.MILLISECONDS);
        }
        finish(publisher, "publisher.log");
        assertTrue(hung.framesDropped() > 0, "the hung destination dropped instead of queueing");
        assertEquals(hung.framesDropped(), relay.registry().counters().framesDropped(), "and the metrics say so");
        assertTrue(hung.lastError() != null && hung.lastError().contains("stalled"), String.valueOf(hung.lastError()));
        assertTrue(maxDirect < 64L * 1024 * 1024, "direct memory stayed bounded: " + maxDirect / 1024 + " KiB");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", keys.get(0)) && hooks.saw("publish_done", keys.get(2)));
        assertReceivedEveryFrame(0);
        assertReceivedEveryFrame(2);
        nginx.get(1).thaw();
    }
}
