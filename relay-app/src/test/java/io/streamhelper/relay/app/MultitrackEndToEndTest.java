package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Chromium;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.ModernFfmpeg;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's multitrack case with real peers: ffmpeg 8.1 publishes two renditions of one picture
 * (1280x720, and 720x1280 as multitrack track 1) to the relay; one destination keeps the default
 * track, another, added through the API while the stream is live (a late joiner), chose video
 * track 1. Each destination is an ffmpeg 8.1
 * {@code -listen} server recording what it gets; ffprobe 8.1 must find exactly one video stream
 * in each recording, of its rendition's size, and ffmpeg 8.1 must decode both without an error.
 */
class MultitrackEndToEndTest {

    @Test
    void eachDestinationGetsItsOwnRenditionAsAPlainStream() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "multitrack-e2e-");
        Path clip = ModernFfmpeg.multitrackClip(Path.of("target", "clips"), 1280, 720, 10);
        String mainKey = TestKeys.destination();
        String verticalKey = TestKeys.destination();
        int mainPort = FreePorts.allocate();
        int verticalPort = FreePorts.allocate();
        Path mainOut = work.resolve("main.flv");
        Path verticalOut = work.resolve("vertical.flv");
        Process mainSink = ModernFfmpeg.receive("rtmp://127.0.0.1:" + mainPort + "/app/" + mainKey, mainOut, work.resolve("main-sink.log"));
        Process verticalSink = ModernFfmpeg.receive("rtmp://127.0.0.1:" + verticalPort + "/app/" + verticalKey, verticalOut,
                work.resolve("vertical-sink.log"));
        Process publisher = null;
        try (RelayServer relay = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of()))) {
            RelayHttp api = new RelayHttp(relay.httpPort());
            String token = api.signUpAndLogin("multitrack@example.com", "a long passphrase");
            JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Two renditions\"}", token, 201);
            long streamId = stream.get("id").asLong();
            String ingestKey = TestKeys.issued(stream.get("key").asText());
            api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\",\"rtmpUrl\":"
                    + "\"rtmp://127.0.0.1:" + mainPort + "/app\",\"streamKey\":\"" + mainKey + "\",\"displayName\":\"landscape\"}", token, 201);
            publisher = ModernFfmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("publisher.log"));
            await().atMost(Duration.ofSeconds(20)).until(() -> api.call("GET", "/api/v1/stream-destinations/stream/" + streamId,
                    null, token, 200).findValuesAsText("state").contains("live"));

            // Added while live, some seconds in: it joins late, and must start from track 1's own header.
            JsonNode vertical = api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\","
                    + "\"rtmpUrl\":\"rtmp://127.0.0.1:" + verticalPort + "/app\",\"streamKey\":\"" + verticalKey + "\","
                    + "\"displayName\":\"vertical\",\"videoTrack\":1}", token, 201);
            assertEquals(1, vertical.get("videoTrack").asInt());
            assertEquals(0, vertical.get("audioTrack").asInt());
            await().atMost(Duration.ofSeconds(20)).until(() -> api.call("GET", "/api/v1/stream-destinations/stream/" + streamId,
                    null, token, 200).findValuesAsText("state").stream().filter("live"::equals).count() == 2);

            // The stream lists both renditions; the second's size comes from its own sequence header.
            JsonNode tracks = await().atMost(Duration.ofSeconds(10)).until(
                    () -> api.call("GET", "/api/v1/stats", null, token, 200).get("streams").get(0).get("tracks"),
                    t -> t.size() == 3);
            JsonNode second = StreamSupport.stream(tracks.spliterator(), false)
                    .filter(t -> t.get("kind").asText().equals("video") && t.get("id").asInt() == 1).findFirst().orElseThrow();
            assertEquals("h264", second.get("codec").asText());
            assertEquals(720, second.get("width").asInt());
            assertEquals(1280, second.get("height").asInt());

            // The /stat page, in a real browser, lists the renditions and which track the vertical destination gets.
            String dom = Chromium.dumpDom("http://127.0.0.1:" + relay.httpPort() + "/stat#token=" + token, Duration.ofSeconds(4),
                    work.resolve("chromium"));
            assertTrue(dom.contains("data-track=\"video-1\"") && dom.contains("720×1280"), "the tracks table: " + dom);
            assertTrue(dom.contains("vertical (video track 1, audio track 0)"), dom);
            assertFalse(dom.contains(mainKey) || dom.contains(verticalKey) || dom.contains(ingestKey), "no key on the page");

            // A track the live stream does not carry is refused, naming the field.
            JsonNode refused = api.call("PUT", "/api/v1/stream-destinations/" + vertical.get("id").asLong(), "{\"videoTrack\":5}",
                    token, 400);
            assertEquals("videoTrack", refused.get("field").asText(), refused.toString());
            assertTrue(refused.get("error").asText().contains("no video track 5"), refused.toString());

            // Some seconds of pictures at both, then the publisher stops and the sinks close their files.
            await().atMost(Duration.ofSeconds(20)).until(() -> StreamSupport.stream(api.call("GET", "/api/v1/stats", null, token, 200)
                    .get("streams").get(0).get("destinations").spliterator(), false).allMatch(d -> d.get("framesSent").asLong() > 150));
            publisher.destroy();
            assertTrue(publisher.waitFor(15, TimeUnit.SECONDS));
            assertTrue(mainSink.waitFor(30, TimeUnit.SECONDS), "the landscape sink ends with its connection");
            assertTrue(verticalSink.waitFor(30, TimeUnit.SECONDS), "the vertical sink ends with its connection");
        } finally {
            if (publisher != null) {
                publisher.destroyForcibly();
            }
            mainSink.destroyForcibly();
            verticalSink.destroyForcibly();
        }

        assertRendition(mainOut, 1280, 720, work.resolve("main-sink.log"));
        assertRendition(verticalOut, 720, 1280, work.resolve("vertical-sink.log"));
    }

    private static void assertRendition(Path recording, int width, int height, Path sinkLog) throws Exception {
        Ffmpeg.ProbeResult probe = ModernFfmpeg.probe(recording.toString(), Duration.ofSeconds(30));
        String what = recording.getFileName() + " " + probe.streams() + "\n" + Files.readString(sinkLog);
        assertEquals(1, probe.streams().stream().filter(s -> s.codecType().equals("video")).count(), "one video stream: " + what);
        assertEquals("h264", probe.video().orElseThrow().codecName(), what);
        assertEquals(width, probe.video().get().width(), what);
        assertEquals(height, probe.video().get().height(), what);
        assertEquals("aac", probe.audio().orElseThrow().codecName(), what);
        // Decodable: every picture, no decoder error (-xerror stops at the first and fails the run).
        String decoded = ModernFfmpeg.run(Duration.ofMinutes(2), ModernFfmpeg.ffmpeg("-hide_banner", "-v", "error", "-xerror",
                "-i", recording.toString(), "-map", "0:v", "-f", "null", "-").redirectErrorStream(true));
        assertEquals("", decoded.strip(), "decoding " + recording.getFileName());
    }
}
