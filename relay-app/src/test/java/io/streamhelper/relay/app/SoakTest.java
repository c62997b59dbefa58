package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.Tools;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay left running while its destinations die and come back at random: one ffmpeg
 * publisher (a clip looped for as long as the soak lasts), three nginx-rtmp destinations, and
 * every few seconds one of them killed or restarted. At the end all are restarted and must be
 * live again and playable, and heap and Netty direct memory (after GC) must be where they were
 * once the stream had settled. Buffer leaks fail the class (paranoid leak detection).
 *
 * <p>60 s in CI. The long run is the same test:
 * {@code RELAY_SOAK_DURATION=30m mvn -B test -pl relay-app -am -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false}
 * (or {@code -Drelay.soak.duration=30m}); {@code -Drelay.soak.seed=N} replays a schedule.
 */
class SoakTest {
    private static final int DESTINATIONS = 3;
    private static final String INGEST_KEY = TestKeys.ingest();
    private static final long HEAP_TOLERANCE = 48L << 20;
    /** Netty's pool grows in 4 MiB chunks: a few more chunks in use is noise, a trend is not. */
    private static final long DIRECT_TOLERANCE = 32L << 20;

    private final List<NginxRtmp> nginx = new ArrayList<>();
    private final List<String> keys = List.of(TestKeys.destination(), TestKeys.destination(), TestKeys.destination());
    private RelayServer relay;
    private Process publisher;

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.destroyForcibly();
        }
        if (relay != null) {
            relay.close();
        }
        nginx.forEach(NginxRtmp::close);
    }

    @Test
    void destinationsKilledAndRestartedAtRandomAllComeBackAndMemoryStaysFlat() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Duration duration = soakDuration();
        long seed = Long.getLong("relay.soak.seed", System.nanoTime());
        System.out.println("soak: duration=" + duration + " seed=" + seed + " (-Drelay.soak.seed=" + seed + " replays it)");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "soak-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 20); // the clip the other relay tests use, cached

        List<DestinationTarget> targets = new ArrayList<>();
        for (int i = 0; i < DESTINATIONS; i++) {
            NginxRtmp n = NginxRtmp.start(work.resolve("nginx-" + i), NginxRtmp.options());
            nginx.add(n);
            targets.add(new DestinationTarget("d" + i, "nginx " + i, n.rtmpUrl(), Secret.of(keys.get(i))));
        }
        relay = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("soak", "Soak"), Secret.of(INGEST_KEY), targets))));
        publisher = new ProcessBuilder(Tools.find("ffmpeg").toString(), "-hide_banner", "-nostdin", "-loglevel", "warning",
                "-re", "-stream_loop", "-1", "-i", clip.toString(), "-c", "copy", "-f", "flv",
                "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + INGEST_KEY)
                .redirectErrorStream(true).redirectOutput(work.resolve("publisher.log").toFile()).start();

        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStream("soak").isPresent());
        LiveStream stream = relay.registry().liveStream("soak").orElseThrow();
        awaitAllLive(stream, Duration.ofSeconds(15), Map.of());
        Memory before = Memory.afterGc();
        System.out.println("soak: start " + before);
        assertTrue(before.direct() > 0, "the direct memory reading sees the relay's buffers");

        Random random = new Random(seed);
        boolean[] down = new boolean[DESTINATIONS];
        long end = System.nanoTime() + duration.toNanos();
        int kills = 0;
        while (System.nanoTime() < end) {
            // The schedule itself: a deliberate pause of 2..6 s between events, not a wait for anything.
            TimeUnit.MILLISECONDS.sleep(2000 + random.nextInt(4000));
            assertTrue(publisher.isAlive(), "the publisher keeps streaming");
            int i = random.nextInt(DESTINATIONS);
            if (down[i]) {
                nginx.get(i).restart();
            } else {
                nginx.get(i).stop();
                kills++;
            }
            down[i] = !down[i];
            System.out.println("soak: " + Instant.now() + " d" + i + (down[i] ? " killed" : " restarted"));
        }
        Map<String, Instant> restarted = new HashMap<>();
        for (int i = 0; i < DESTINATIONS; i++) {
            if (down[i]) {
                restarted.put("d" + i, Instant.now()); // before: the relay may reconnect as soon as nginx listens
                nginx.get(i).restart();
            }
        }
        // Backoff is at most 60 s (+20 % jitter) after a long outage.
        awaitAllLive(stream, Duration.ofSeconds(90), restarted);
        for (int i = 0; i < DESTINATIONS; i++) {
            assertTrue(playsVideo(stream, i),
                    "d" + i + " plays video again; relay on " + relay.transport() + ": " + RelayViews.describe(relay.registry(), stream));
        }
        assertTrue(kills > 0, "the schedule killed something");
        Memory after = Memory.afterGc();
        System.out.println("soak: end " + after + " after " + kills + " kills");
        assertTrue(after.heap() <= before.heap() + HEAP_TOLERANCE, "heap flat: " + before + " -> " + after);
        assertTrue(after.direct() <= before.direct() + DIRECT_TOLERANCE, "direct memory flat: " + before + " -> " + after);
    }

    /**
     * What a viewer of destination i would see. Probed again until a reconnect's backoff (60 s
     * cap, +20 % jitter) has surely passed; every failed probe prints the relay's view of each
     * destination and nginx's log, so that a failure, or a recovery, in CI explains itself.
     */
    private boolean playsVideo(LiveStream stream, int i) {
        String url = nginx.get(i).rtmpUrl() + "/" + keys.get(i);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(80);
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            try {
                if (Ffmpeg.probe(url, Duration.ofSeconds(30)).video().isPresent()) {
                    return true;
                }
                System.out.println("soak: " + Instant.now() + " probe of d" + i + " found no video (attempt " + attempt + ")");
            } catch (AssertionError | RuntimeException e) { // Ffmpeg.run fails with AssertionError
                System.out.println("soak: " + Instant.now() + " probe of d" + i + " failed (attempt " + attempt + "): "
                        + redact(e.getMessage().lines().findFirst().orElse("")));
            }
            System.out.print(relayView(stream));
            boolean running = nginx.get(i).isRunning();
            System.out.println("soak:   nginx d" + i + (running ? " running" : " NOT running (crashed?)")
                    + ", error log tail:\n" + redact(nginx.get(i).errorLogTail(15)));
            if (!running) {
                return false;
            }
        }
        return false;
    }

    /** The keys out of what goes to this class's output, which the suite's log scan reads. */
    private String redact(String text) {
        String redacted = text.replace(INGEST_KEY, "<ingest key>");
        for (int i = 0; i < keys.size(); i++) {
            redacted = redacted.replace(keys.get(i), "<key d" + i + ">");
        }
        return redacted;
    }

    /** The relay's view of each destination, a line each. */
    private String relayView(LiveStream stream) {
        StringBuilder view = new StringBuilder();
        relay.registry().relays(stream).forEach(r -> view.append("soak:   ").append(RelayViews.describe(r)).append('\n'));
        return view.toString();
    }

    /**
     * Every destination live, those in {@code restarted} on a connection made after their restart:
     * one killed by the schedule's last event must not count as live on the connection that died.
     */
    private void awaitAllLive(LiveStream stream, Duration atMost, Map<String, Instant> restarted) {
        try {
            await().atMost(atMost).until(() -> relay.registry().relays(stream).stream().allMatch(r -> {
                Instant restart = restarted.get(r.target().id());
                return r.state() == DestinationState.LIVE && (restart == null || r.since().isAfter(restart));
            }));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not all live within " + atMost.toSeconds() + " s (restarted: " + restarted + "): "
                    + RelayViews.describe(relay.registry(), stream), e);
        }
    }

    /** RELAY_SOAK_DURATION or -Drelay.soak.duration: "60s", "30m", "2h"; 60 s by default. */
    static Duration soakDuration() {
        String value = System.getProperty("relay.soak.duration", System.getenv().getOrDefault("RELAY_SOAK_DURATION", "60s"));
        return Duration.parse("PT" + value.trim().toUpperCase());
    }

    /**
     * Heap in use and direct memory, after the garbage that can be collected is. Netty's own
     * counter (PlatformDependent.usedDirectMemory) exists only when Netty allocates direct memory
     * without cleaners, which JDK 17 does not allow by default (it reads -1 then): the pooled
     * allocator's figure and the JDK's direct buffer pool stand in for it.
     */
    private record Memory(long heap, long direct) {
        static Memory afterGc() {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long netty = Math.max(PlatformDependent.usedDirectMemory(),
                    PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
            long jdk = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            return new Memory(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math.max(netty, 0) + jdk);
        }

        @Override
        public String toString() {
            return "heap=" + (heap >> 20) + " MiB direct=" + (direct >> 20) + " MiB";
        }
    }
}
