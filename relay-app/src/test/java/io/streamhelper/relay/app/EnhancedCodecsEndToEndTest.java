package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.ModernFfmpeg;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ffmpeg 8.1 publishes HEVC, then AV1 with Opus, in the enhanced-RTMP form; the relay sends it to
 * destinations that are ffmpeg 8.1 itself listening ({@code -listen 1}, recording with codec copy),
 * since nginx-rtmp does not pass these codecs reliably. Each recording is judged by ffprobe and
 * ffmpeg 8.1: the codec and size, a keyframe first, decoding without one error, and what only
 * the configuration packets carry: HDR colour from the video Metadata packet, the OpusHead.
 *
 * <p>Three ways to become a destination are covered: connected when the publish starts, added
 * while it is live (a late joiner, which lives on the relay's caches), and reconnecting after its
 * server died (a new server on the same port, reached by the relay's retry).
 */
class EnhancedCodecsEndToEndTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    /** Two seconds at 30 fps: a whole GOP of the clip after each destination started. */
    private static final long FRAMES_EACH = 60;

    private final String ingestKey = TestKeys.ingest();
    private final List<Process> processes = new ArrayList<>();
    private Path work;
    private RelayServer relay;

    @BeforeEach
    void workFolder() throws IOException {
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "enhanced-e2e-");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        if (relay != null) {
            relay.close();
        }
    }

    /** An ffmpeg 8.1 RTMP server of one connection, recording to name.flv. */
    private final class Receiver {
        final int port;
        final String key = TestKeys.destination();
        final Path recording;
        final Process process;

        Receiver(int port, String name) throws IOException {
            this.port = port;
            this.recording = work.resolve(name + ".flv");
            this.process = ModernFfmpeg.receive("rtmp://127.0.0.1:" + port + "/app/" + key, recording, work.resolve(name + ".log"));
            processes.add(process);
        }

        Receiver(String name) throws IOException {
            this(freePort(), name);
        }

        Receiver again(String name) throws IOException {
            return new Receiver(port, name);
        }

        DestinationTarget target(String id) {
            return new DestinationTarget(id, id, "rtmp://127.0.0.1:" + port + "/app", Secret.of(key));
        }

        /** Waits for the recording to be complete: the relay unpublished and the server wrote its trailer. */
        Path finished() throws InterruptedException {
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), recording.getFileName() + ": the receiver ends when the relay unpublishes");
            return recording;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void startRelay(DestinationTarget first) throws Exception {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "Enhanced"), Secret.of(ingestKey), List.of(first))));
        relay = RelayServer.start(TestRelayConfig.with(), catalog);
    }

    private Process publish(Path clip, String... outputOptions) throws IOException {
        Process publisher = ModernFfmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                work.resolve("publisher.log"), outputOptions);
        processes.add(publisher);
        return publisher;
    }

    private LiveStream stream() {
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStream("s1").isPresent());
        return relay.registry().liveStream("s1").orElseThrow();
    }

    private DestinationRelay destination(LiveStream stream, String id) {
        return relay.registry().relays(stream).stream().filter(r -> r.target().id().equals(id)).findFirst().orElseThrow();
    }

    /** Live at the destination, and a whole GOP sent since (counted from when this was called). */
    private void liveWithFrames(LiveStream stream, String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> destination(stream, id).state() == DestinationState.LIVE);
        long from = destination(stream, id).framesSent();
        await().atMost(Duration.ofSeconds(20)).until(() -> destination(stream, id).framesSent() >= from + FRAMES_EACH);
    }

    /** The publisher stops (SIGTERM: ffmpeg ends its publish cleanly); the relay unpublishes everywhere. */
    private void stopPublishing(Process publisher) throws InterruptedException {
        publisher.destroy();
        assertTrue(publisher.waitFor(15, TimeUnit.SECONDS), "the publisher stops");
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStreams().isEmpty());
    }

    private static String probeVideo(Path recording, String entries) {
        return ModernFfmpeg.run(Duration.ofSeconds(30), ModernFfmpeg.ffprobe("-v", "error", "-select_streams", "v:0",
                "-show_entries", entries, "-of", "default=nw=1", recording.toString())).strip();
    }

    private static String probeAudio(Path recording, String entries) {
        return ModernFfmpeg.run(Duration.ofSeconds(30), ModernFfmpeg.ffprobe("-v", "error", "-select_streams", "a:0",
                "-show_entries", entries, "-of", "default=nw=1", recording.toString())).strip();
    }

    /** The codec and size ffprobe 8.1 reads, a keyframe first, and every frame decoding without an error. */
    private static void assertDecodes(Path recording, String videoCodec, String audioCodec) {
        String who = recording.getFileName().toString();
        Ffmpeg.ProbeResult probe = ModernFfmpeg.probe(recording.toString(), Duration.ofSeconds(30));
        assertEquals(videoCodec, probe.video().orElseThrow(() -> new AssertionError(who + ": no video")).codecName(), who);
        assertEquals(WIDTH, probe.video().get().width(), who);
        assertEquals(HEIGHT, probe.video().get().height(), who);
        assertEquals(audioCodec, probe.audio().orElseThrow(() -> new AssertionError(who + ": no audio")).codecName(), who);
        String first = ModernFfmpeg.run(Duration.ofSeconds(30), ModernFfmpeg.ffprobe("-v", "error", "-select_streams", "v:0",
                "-read_intervals", "%+#1", "-show_entries", "packet=flags", "-of", "csv=p=0", recording.toString()));
        assertTrue(first.strip().startsWith("K"), who + " starts at a keyframe: " + first);
        // -xerror: the first decoding error ends ffmpeg with a failure, which fails the test.
        ModernFfmpeg.run(Duration.ofSeconds(60), ModernFfmpeg.ffmpeg("-hide_banner", "-nostdin", "-v", "error", "-xerror",
                "-i", recording.toString(), "-f", "null", "-"));
        long frames = Long.parseLong(countFrames(recording));
        assertTrue(frames >= FRAMES_EACH, who + " holds " + frames + " decodable frames");
    }

    private static String countFrames(Path recording) {
        return ModernFfmpeg.run(Duration.ofSeconds(60), ModernFfmpeg.ffprobe("-v", "error", "-select_streams", "v:0",
                "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", recording.toString())).strip();
    }

    @Test
    void hevcReachesAFirstALateAndAReconnectingDestinationWithItsHdrColour() throws Exception {
        Path clip = ModernFfmpeg.clip(Path.of("target", "clips"), "libx265", "aac", WIDTH, HEIGHT, 4);
        Receiver first = new Receiver("first");
        startRelay(first.target("first"));
        // HDR colour in the container only (the clip's HEVC has none in its VUI), so the only way
        // a recording can say PQ/BT.2020 is the video Metadata packet that ffmpeg writes for it.
        Process publisher = publish(clip, "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc");
        LiveStream stream = stream();
        liveWithFrames(stream, "first");
        assertEquals("hvc1", stream.videoCodec());

        Receiver late = new Receiver("late");
        relay.registry().applyDestination("s1", late.target("late"));
        liveWithFrames(stream, "late");

        // The first destination's server dies; a new one on its port is found by the relay's retry.
        long reconnectsBefore = destination(stream, "first").reconnects();
        first.process.destroyForcibly();
        first.process.waitFor(10, TimeUnit.SECONDS);
        Receiver reconnected = first.again("reconnected");
        await().atMost(Duration.ofSeconds(20)).until(() -> destination(stream, "first").reconnects() > reconnectsBefore);
        liveWithFrames(stream, "first");

        stopPublishing(publisher);
        for (Receiver r : List.of(late, reconnected)) {
            Path recording = r.finished();
            assertDecodes(recording, "hevc", "aac");
            assertEquals("color_transfer=smpte2084\ncolor_primaries=bt2020",
                    probeVideo(recording, "stream=color_transfer,color_primaries"),
                    recording.getFileName() + " got the video Metadata packet (HDR colour) before its pictures");
        }
    }

    @Test
    void av1WithOpusReachesAFirstAndALateDestination() throws Exception {
        Path clip = ModernFfmpeg.clip(Path.of("target", "clips"), "libsvtav1", "libopus", WIDTH, HEIGHT, 4);
        Receiver first = new Receiver("first");
        startRelay(first.target("first"));
        Process publisher = publish(clip);
        LiveStream stream = stream();
        liveWithFrames(stream, "first");
        assertEquals("av01", stream.videoCodec());
        assertEquals("Opus", stream.audioCodec());

        Receiver late = new Receiver("late");
        relay.registry().applyDestination("s1", late.target("late"));
        liveWithFrames(stream, "late");

        stopPublishing(publisher);
        for (Receiver r : List.of(first, late)) {
            Path recording = r.finished();
            assertDecodes(recording, "av1", "opus");
            // The OpusHead (19 bytes here) is the codec's extradata: without the sequence start a
            // destination has neither its pre-skip nor its channel mapping.
            assertEquals("sample_rate=48000\nchannels=2\nextradata_size=19",
                    probeAudio(recording, "stream=sample_rate,channels,extradata_size"),
                    recording.getFileName() + " got the Opus sequence start");
            ModernFfmpeg.run(Duration.ofSeconds(60), ModernFfmpeg.ffmpeg("-hide_banner", "-nostdin", "-v", "error", "-xerror",
                    "-i", recording.toString(), "-map", "0:a", "-f", "null", "-"));
        }
    }
}
