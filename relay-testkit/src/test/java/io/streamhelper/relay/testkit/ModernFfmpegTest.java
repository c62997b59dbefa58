package io.streamhelper.relay.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The modern peer is really ffmpeg 8.1 with the encoders the enhanced-RTMP tests need, and writes enhanced FLV. */
class ModernFfmpegTest {
    private static final Path CACHE = Path.of("target", "modern-clips");

    @Test
    void extractsOnceAndRunsFfmpegEightWithTheEncodersTheTestsNeed() throws Exception {
        Path home = ModernFfmpeg.home();
        assertTrue(Files.isExecutable(home.resolve("ffmpeg")) && Files.isExecutable(home.resolve("ffprobe")), home.toString());
        var marker = Files.getLastModifiedTime(home.resolve(".extracted"));
        assertEquals(home, ModernFfmpeg.extract(home.getParent()), "a second use finds the extracted folder");
        assertEquals(marker, Files.getLastModifiedTime(home.resolve(".extracted")), "and does not extract again");

        String version = ModernFfmpeg.run(Duration.ofSeconds(30), ModernFfmpeg.ffmpeg("-hide_banner", "-version"));
        assertTrue(version.startsWith("ffmpeg version 8.1"), version);
        String encoders = ModernFfmpeg.run(Duration.ofSeconds(30), ModernFfmpeg.ffmpeg("-hide_banner", "-encoders"));
        for (String encoder : new String[] {"libx264", "libx265", "libsvtav1", "libopus", "aac"}) {
            assertTrue(encoders.contains(" " + encoder + " "), encoder + " missing from: " + encoders);
        }
    }

    @Test
    void writesHevcAsEnhancedFlvThatItsProbeReads() throws Exception {
        Path clip = ModernFfmpeg.clip(CACHE, "libx265", "aac", 320, 240, 2);
        var probe = ModernFfmpeg.probe(clip.toString(), Duration.ofSeconds(30));
        assertEquals("hevc", probe.video().orElseThrow().codecName());
        assertEquals(320, probe.video().orElseThrow().width());
        assertEquals(240, probe.video().orElseThrow().height());

        // The first video tag is an enhanced-RTMP sequence start: ex-header bit, keyframe, packet type 0, then "hvc1".
        byte[] flv = Files.readAllBytes(clip);
        int at = 9 + 4; // FLV header, then PreviousTagSize0
        while (flv[at] != 9) {
            int size = ((flv[at + 1] & 0xFF) << 16) | ((flv[at + 2] & 0xFF) << 8) | (flv[at + 3] & 0xFF);
            at += 11 + size + 4;
        }
        int body = at + 11;
        assertEquals(0x90, flv[body] & 0xFF, "ex-header keyframe SequenceStart");
        assertEquals("hvc1", new String(flv, body + 1, 4, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
