package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The product as a streamer uses it, over HTTP and RTMP with real peers: sign up, log in, create a
 * stream, add three destinations (nginx-rtmp), go live with ffmpeg, see H.264 and AAC arrive at
 * all three, disable one while live (only it stops), add a fourth while live (it starts), end
 * the stream (everything stops, the stream is no longer live). Then the database file is searched
 * for the destination keys.
 */
class ApiRelayEndToEndTest {
    private RelayHttp api;

    @Test
    void signUpToLiveEverywhereAndBack() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "api-e2e-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        List<String> keys = List.of(TestKeys.destination(), TestKeys.destination(), TestKeys.destination(),
                TestKeys.destination());
        RelayConfig config = TestRelayConfig.with();
        try (HookServer hooks = new HookServer();
                NginxRtmp n1 = NginxRtmp.start(work.resolve("n1"), NginxRtmp.options().hooks(hooks));
                NginxRtmp n2 = NginxRtmp.start(work.resolve("n2"), NginxRtmp.options().hooks(hooks));
                NginxRtmp n3 = NginxRtmp.start(work.resolve("n3"), NginxRtmp.options().hooks(hooks));
                NginxRtmp n4 = NginxRtmp.start(work.resolve("n4"), NginxRtmp.options().hooks(hooks))) {
            List<NginxRtmp> sinks = List.of(n1, n2, n3, n4);
            String ingestKey;
            long streamId;
            List<Long> destinationIds = new ArrayList<>();
            try (RelayServer relay = RelayServer.start(config, new StaticStreamCatalog(List.of()))) {
                api = new RelayHttp(relay.httpPort());
                String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
                assertEquals("admin", api.call("GET", "/api/v1/auth/me", null, token, 200).get("role").asText());
                JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
                streamId = stream.get("id").asLong();
                ingestKey = TestKeys.issued(stream.get("key").asText());
                for (int i = 0; i < 3; i++) {
                    destinationIds.add(api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                            + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sinks.get(i).rtmpUrl() + "\",\"streamKey\":\""
                            + keys.get(i) + "\",\"displayName\":\"nginx " + (i + 1) + "\"}", token, 201).get("id").asLong());
                }

                Process refused = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/wrong-" + ingestKey,
                        work.resolve("refused.log"));
                assertTrue(refused.waitFor(15, TimeUnit.SECONDS));
                assertNotEquals(0, refused.exitValue(), "a wrong ingest key is refused at the RTMP level");
                assertTrue(hooks.calls("publish").isEmpty(), "and nothing was relayed");

                Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher.log"));
                try {
                    await().atMost(Duration.ofSeconds(15)).until(() ->
                            keys.subList(0, 3).stream().allMatch(k -> hooks.saw("publish", k)));
                    for (int i = 0; i < 3; i++) {
                        Ffmpeg.ProbeResult probe = Ffmpeg.probe(sinks.get(i).rtmpUrl() + "/" + keys.get(i), Duration.ofSeconds(15));
                        assertEquals("h264", probe.video().orElseThrow().codecName(), "destination " + (i + 1));
                        assertEquals(1280, probe.video().get().width());
                        assertEquals(720, probe.video().get().height());
                        assertEquals("aac", probe.audio().orElseThrow().codecName(), "destination " + (i + 1));
                    }
                    assertTrue(api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("isLive").asBoolean());
                    await().atMost(Duration.ofSeconds(5)).until(() -> api.call("GET", "/api/v1/stream-destinations/stream/"
                            + streamId, null, token, 200).findValuesAsText("state").stream().allMatch("live"::equals));

                    // Disable the second while live: only it stops.
                    api.call("PUT", "/api/v1/stream-destinations/" + destinationIds.get(1), "{\"enabled\":false}", token, 200);
                    await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", keys.get(1)));
                    assertFalse(hooks.saw("publish_done", keys.get(0)) || hooks.saw("publish_done", keys.get(2)),
                            "the others did not notice: " + hooks.calls());

                    // Add a fourth while live: it starts with a decodable stream.
                    api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\",\"rtmpUrl\":\""
                            + n4.rtmpUrl() + "\",\"streamKey\":\"" + keys.get(3) + "\"}", token, 201);
                    await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish", keys.get(3)));
                    Ffmpeg.ProbeResult fourth = Ffmpeg.probe(n4.rtmpUrl() + "/" + keys.get(3), Duration.ofSeconds(15));
                    assertEquals("h264", fourth.video().orElseThrow().codecName());
                    assertEquals("aac", fourth.audio().orElseThrow().codecName());
                    assertFalse(hooks.saw("publish_done", keys.get(0)) || hooks.saw("publish_done", keys.get(2)),
                            "adding one did not disturb the others: " + hooks.calls());

                    // Rotating the ingest key does not cut the current publisher.
                    String rotated = api.call("POST", "/api/v1/streams/" + streamId + "/rotate-key", null, token, 200).get("key").asText();
                    assertNotEquals(ingestKey, rotated);
                    assertTrue(api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("isLive").asBoolean());

                    assertTrue(publisher.waitFor(45, TimeUnit.SECONDS), "the clip ends");
                    assertEquals(0, publisher.exitValue(), Files.readString(work.resolve("publisher.log")));
                } finally {
                    publisher.destroyForcibly();
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> Stream.of(0, 2, 3).allMatch(i -> hooks.saw("publish_done", keys.get(i))));
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        !api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("isLive").asBoolean());
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        !relay.database().streams().findById(streamId).orElseThrow().live());
                String everything = api.call("GET", "/api/v1/stream-destinations", null, token, 200).toString();
                for (String key : keys) {
                    assertFalse(everything.contains(key), "no destination key in API responses");
                }
            }

            // The relay is closed: the database files hold no destination key in plaintext.
            try (Stream<Path> files = Files.walk(config.dataDir())) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    for (String key : keys) {
                        assertFalse(bytes.contains(key), key + " in plaintext in " + file);
                    }
                    assertFalse(bytes.contains(ingestKey), "ingest key in plaintext in " + file);
                }
            }
        }
    }
}
