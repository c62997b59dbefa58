package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server as an operator runs it: its own JVM started from {@link Main}, stopped with SIGTERM
 * (what {@code docker stop} sends) while it relays to two nginx-rtmp destinations.
 */
class GracefulShutdownTest {

    @Test
    void sigtermEndsEveryDestinationCleanlyAndExitsZeroWithinEightSeconds() throws Exception {
        Tools.require("ffmpeg", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "shutdown-");
        try (HookServer hooks = new HookServer();
                NginxRtmp a = NginxRtmp.start(work.resolve("a"), NginxRtmp.options().hooks(hooks));
                NginxRtmp b = NginxRtmp.start(work.resolve("b"), NginxRtmp.options().hooks(hooks))) {
            String ingestKey = TestKeys.ingest();
            String keyA = TestKeys.destination();
            String keyB = TestKeys.destination();
            Path streams = work.resolve("streams.json");
            Files.writeString(streams, "{\"streams\":[{\"id\":\"s1\",\"name\":\"S\",\"key\":\"" + ingestKey + "\",\"destinations\":["
                    + "{\"id\":\"a\",\"url\":\"" + a.rtmpUrl() + "\",\"key\":\"" + keyA + "\"},"
                    + "{\"id\":\"b\",\"url\":\"" + b.rtmpUrl() + "\",\"key\":\"" + keyB + "\"}]}]}");
            int rtmpPort = FreePorts.allocate();
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("relay.log").toFile());
            builder.environment().put("RELAY_BIND_ADDRESS", "127.0.0.1");
            builder.environment().put("RELAY_RTMP_PORT", String.valueOf(rtmpPort));
            builder.environment().put("RELAY_HTTP_PORT", String.valueOf(FreePorts.allocate()));
            builder.environment().put("RELAY_STREAMS_FILE", streams.toString());
            Process relay = builder.start();
            Process publisher = null;
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> accepts(rtmpPort));
                publisher = Ffmpeg.publish(Ffmpeg.testClip(Path.of("target", "clips"), 20),
                        "rtmp://127.0.0.1:" + rtmpPort + "/live/" + ingestKey, work.resolve("publisher.log"));
                await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", keyA) && hooks.saw("publish", keyB));

                long signalled = System.nanoTime();
                relay.destroy(); // SIGTERM
                assertTrue(relay.waitFor(8, TimeUnit.SECONDS), "exited within 8 s");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                String log = Files.readString(work.resolve("relay.log"));
                assertEquals(0, relay.exitValue(), "exit code 0 after " + tookMs + " ms:\n" + log);
                assertTrue(hooks.saw("publish_done", keyA) && hooks.saw("publish_done", keyB),
                        "both destinations saw the publish end: " + hooks.calls());
                assertTrue(log.contains("phase=stop_accepting") && log.contains("phase=end_streams") && log.contains("event=relay_stopped"),
                        "the phases are logged:\n" + log);
            } finally {
                if (publisher != null) {
                    publisher.destroyForcibly();
                }
                relay.destroyForcibly();
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
