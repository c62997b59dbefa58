package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.ModernFfmpeg;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Per-platform codec rules with real peers (issue 22): ffmpeg 8.1 publishes HEVC (enhanced RTMP);
 * a Twitch-preset destination, its URL overridden to a local nginx-rtmp as a regional ingest would
 * be, is held back as incompatible with the exact reason in the API, /stats and /metrics, and that
 * nginx never sees a publish; a custom destination of the same stream (ffmpeg 8.1 -listen) goes
 * live at once and records HEVC 1280x720, and a custom one restricted to hvc1 waits for the codec,
 * announces it in connect (fourCcList ["hvc1"]), and ffmpeg 8.1 takes that connect and records
 * HEVC too. Then Debian's ffmpeg 5.1 publishes H.264 to the same stream, and the same Twitch
 * destination goes live and carries H.264, as before.
 */
class HevcCodecRulesTest {
    private static final String REFUSAL = "Twitch accepts H.264 only; this stream is HEVC";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void twitchIsHeldBackFromHevcWhileCustomDestinationsGoLiveAndTakesH264AsBefore() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "hevc-rules-");
        Path hevcClip = ModernFfmpeg.clip(Path.of("target", "clips"), "libx265", "aac", 1280, 720, 6);
        Path h264Clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        String twitchKey = TestKeys.twitch();
        String anyKey = TestKeys.destination();
        String hevcOnlyKey = TestKeys.destination();
        String metricsToken = TestKeys.token();
        int anyPort = FreePorts.allocate();
        int hevcOnlyPort = FreePorts.allocate();
        RelayConfig config = TestRelayConfig.with("RELAY_METRICS_TOKEN", metricsToken);
        LogLines logs = new LogLines().attach();
        Process anySink = null;
        Process hevcOnlySink = null;
        Process publisher = null;
        try (HookServer hooks = new HookServer();
                NginxRtmp twitchSink = NginxRtmp.start(work.resolve("twitch"), NginxRtmp.options().hooks(hooks));
                RelayServer relay = RelayServer.start(config, new StaticStreamCatalog(List.of()))) {
            anySink = ModernFfmpeg.receive("rtmp://127.0.0.1:" + anyPort + "/app/" + anyKey, work.resolve("any.flv"),
                    work.resolve("any.log"));
            hevcOnlySink = ModernFfmpeg.receive("rtmp://127.0.0.1:" + hevcOnlyPort + "/app/" + hevcOnlyKey,
                    work.resolve("hevc-only.flv"), work.resolve("hevc-only.log"));
            RelayHttp api = new RelayHttp(relay.httpPort());
            String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
            JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"HEVC show\"}", token, 201);
            long streamId = stream.get("id").asLong();
            String ingest = "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + TestKeys.issued(stream.get("key").asText());
            long twitch = api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                    + ",\"platform\":\"twitch\",\"rtmpUrl\":\"" + twitchSink.rtmpUrl() + "\",\"streamKey\":\"" + twitchKey + "\"}",
                    token, 201).get("id").asLong();
            long any = api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                    + ",\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://127.0.0.1:" + anyPort + "/app\",\"streamKey\":\"" + anyKey
                    + "\"}", token, 201).get("id").asLong();
            long hevcOnly = api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                    + ",\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://127.0.0.1:" + hevcOnlyPort + "/app\",\"streamKey\":\""
                    + hevcOnlyKey + "\",\"videoCodecs\":[\"hvc1\"]}", token, 201).get("id").asLong();

            publisher = ModernFfmpeg.publishLooping(hevcClip, ingest, work.resolve("hevc-publisher.log"));
            await().atMost(Duration.ofSeconds(20)).until(() -> "incompatible".equals(state(api, token, twitch)));
            await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(state(api, token, any))
                    && "live".equals(state(api, token, hevcOnly)));
            JsonNode held = api.call("GET", "/api/v1/stream-destinations/" + twitch, null, token, 200).get("status");
            assertEquals(REFUSAL, held.get("lastError").asText(), held.toString());
            assertEquals(0, held.get("bytesSent").asLong(), held.toString());

            JsonNode stats = api.call("GET", "/api/v1/stats", null, token, 200);
            JsonNode twitchStats = StreamSupport.stream(stats.findValues("destinations").get(0).spliterator(), false)
                    .filter(d -> d.get("id").asText().equals(String.valueOf(twitch))).findFirst().orElseThrow();
            assertEquals("incompatible", twitchStats.get("state").asText(), stats.toString());
            assertEquals(REFUSAL, twitchStats.get("lastError").asText(), stats.toString());

            String metrics = metrics(relay.httpPort(), metricsToken);
            assertTrue(metrics.contains("relay_destinations{node=\"" + relay.nodeId() + "\",platform=\"twitch\",state=\"incompatible\"} 1.0"), metrics);
            assertTrue(metrics.contains("relay_destinations{node=\"" + relay.nodeId() + "\",platform=\"custom\",state=\"live\"} 2.0"), metrics);

            assertEquals(List.of("event=destination_announce destination=" + hevcOnly + " fourcc_list=hvc1"),
                    logs.containing("event=destination_announce"),
                    "only the destination that waited for the codec announced it; the one that connected at once could not");
            assertFalse(hooks.saw("publish", twitchKey), "the Twitch stand-in never saw a publish: " + hooks.calls());

            publisher.destroy(); // ffmpeg ends the publish cleanly; with no grace the stream ends
            assertTrue(publisher.waitFor(15, TimeUnit.SECONDS));
            for (Process sink : List.of(anySink, hevcOnlySink)) {
                // Each records until the relay unpublishes, then finishes its file and exits.
                if (!sink.waitFor(20, TimeUnit.SECONDS)) {
                    sink.destroy();
                    sink.waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (String file : List.of("any.flv", "hevc-only.flv")) {
                Ffmpeg.ProbeResult probe = ModernFfmpeg.probe(work.resolve(file).toString(), Duration.ofSeconds(20));
                Ffmpeg.StreamInfo video = probe.video().orElseThrow(() -> new AssertionError(file + ": no video"));
                assertEquals("hevc", video.codecName(), file);
                assertEquals(1280, video.width(), file);
                assertEquals(720, video.height(), file);
                assertEquals("aac", probe.audio().orElseThrow().codecName(), file);
            }
            assertFalse(hooks.saw("publish", twitchKey), "nor after the stream ended: " + hooks.calls());

            // The same stream in H.264 from Debian's ffmpeg 5.1: the same Twitch destination goes live.
            publisher = Ffmpeg.publishLooping(h264Clip, ingest, work.resolve("h264-publisher.log"));
            await().atMost(Duration.ofSeconds(20)).until(() -> hooks.saw("publish", twitchKey));
            await().atMost(Duration.ofSeconds(10)).until(() -> "live".equals(state(api, token, twitch)));
            Ffmpeg.ProbeResult h264 = Ffmpeg.probe(twitchSink.rtmpUrl() + "/" + twitchKey, Duration.ofSeconds(15));
            assertEquals("h264", h264.video().orElseThrow().codecName());
            assertEquals("aac", h264.audio().orElseThrow().codecName());
            assertTrue(metrics(relay.httpPort(), metricsToken)
                    .contains("relay_destinations{node=\"" + relay.nodeId() + "\",platform=\"twitch\",state=\"live\"} 1.0"));
        } finally {
            logs.detach();
            for (Process p : new Process[] {publisher, anySink, hevcOnlySink}) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static String state(RelayHttp api, String token, long destination) throws Exception {
        return api.call("GET", "/api/v1/stream-destinations/" + destination, null, token, 200).get("status").get("state").asText();
    }

    private String metrics(int port, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
