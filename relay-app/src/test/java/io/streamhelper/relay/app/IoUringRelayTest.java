package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.incubator.channel.uring.IOUring;
import io.streamhelper.relay.core.destination.DestinationTarget;
import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import io.streamhelper.relay.core.publish.StreamGrant;
import io.streamhelper.relay.core.secret.Secret;
import io.streamhelper.relay.testkit.Ffmpeg;
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
 * The relay with {@code RELAY_TRANSPORT=io_uring}: ffmpeg publishes through it to nginx-rtmp, which
 * must receive the whole picture and sound; where this machine offers no io_uring, the server
 * must refuse to start and say why instead of quietly running on something else.
 */
class IoUringRelayTest {
    private static final int CLIP_SECONDS = 8;

    @Test
    void relaysOnIoUringOrRefusesToStartSayingWhy() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        String ingestKey = TestKeys.ingest();
        String destinationKey = TestKeys.destination();
        Files.createDirectories(Path.of("target"));
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "io_uring-");
        try (NginxRtmp nginx = NginxRtmp.start(work.resolve("nginx"), NginxRtmp.options().record(true))) {
            StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                    new StreamGrant("s1", "io_uring"), Secret.of(ingestKey),
                    List.of(new DestinationTarget("d1", "nginx", nginx.rtmpUrl(), Secret.of(destinationKey))))));
            RelayConfig config = TestRelayConfig.with("RELAY_TRANSPORT", "io_uring");
            if (!IOUring.isAvailable()) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> RelayServer.start(config, catalog));
                assertTrue(refused.getMessage().contains("io_uring"), refused.getMessage());
                return;
            }
            Path clip = Ffmpeg.testClip(Path.of("target", "clips"), CLIP_SECONDS);
            long clipFrames = Ffmpeg.countVideoFrames(clip);
            try (RelayServer relay = RelayServer.start(config, catalog)) {
                Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher.log"));
                // nginx-rtmp opens the recording when the relay's publish reaches it.
                await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(nginx.recording(destinationKey)));
                Ffmpeg.ProbeResult live = Ffmpeg.probe(nginx.rtmpUrl() + "/" + destinationKey, Duration.ofSeconds(15));
                assertEquals("h264", live.video().orElseThrow(() -> new AssertionError("no video")).codecName());
                assertEquals(1280, live.video().get().width());
                assertEquals("aac", live.audio().orElseThrow(() -> new AssertionError("no audio")).codecName());
                assertTrue(publisher.waitFor(CLIP_SECONDS + 20, TimeUnit.SECONDS), "publisher finished");
                assertEquals(0, publisher.exitValue(), "ffmpeg published without error");
                await().atMost(Duration.ofSeconds(5)).until(() -> relay.registry().liveStreams().isEmpty());
            }
            Path recording = nginx.recording(destinationKey);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(recording)
                    && Ffmpeg.countVideoFrames(recording) >= Math.ceil(clipFrames * 0.95));
        }
    }
}
