package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, "what happened after the show", with real peers: ffmpeg publishes to the relay with
 * two nginx-rtmp destinations, one nginx is killed mid-show, then the clip ends. Afterwards the
 * streamer asks the API what happened, as they would the morning after, and while it is live
 * the open session already shows the show so far.
 */
class SessionHistoryEndToEndTest {
    private static final int CLIP_SECONDS = 15;

    @Test
    void afterTheShowTheSessionSaysWhichDestinationFailedWhenAndWhy() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "sessions-e2e-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), CLIP_SECONDS);
        List<String> keys = List.of(TestKeys.destination(), TestKeys.destination());
        try (HookServer hooks = new HookServer();
                NginxRtmp steady = NginxRtmp.start(work.resolve("steady"), NginxRtmp.options().hooks(hooks));
                NginxRtmp doomed = NginxRtmp.start(work.resolve("doomed"), NginxRtmp.options().hooks(hooks));
                RelayServer relay = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of()))) {
            RelayHttp api = new RelayHttp(relay.httpPort());
            String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
            JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Friday show\"}", token, 201);
            long streamId = stream.get("id").asLong();
            String ingestKey = TestKeys.issued(stream.get("key").asText());
            List<String> destinationIds = new ArrayList<>();
            List<NginxRtmp> sinks = List.of(steady, doomed);
            for (int i = 0; i < 2; i++) {
                destinationIds.add(api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                        + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sinks.get(i).rtmpUrl() + "\",\"streamKey\":\""
                        + keys.get(i) + "\",\"displayName\":\"nginx " + i + "\"}", token, 201).get("id").asText());
            }
            String sessions = "/api/v1/streams/" + streamId + "/sessions";

            Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                    work.resolve("publisher.log"));
            Instant killedAfter;
            Instant killedBefore;
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> keys.stream().allMatch(k -> hooks.saw("publish", k)));
                await().atMost(Duration.ofSeconds(5)).until(() -> api.call("GET", sessions, null, token, 200)
                        .at("/sessions/0/live").asBoolean());
                // Three seconds of show on both before one dies: counted in frames, not slept.
                await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStream(String.valueOf(streamId))
                        .map(s -> s.videoFrames() >= 90).orElse(false));
                // While live, the open session is the show so far, not an empty row.
                JsonNode onAir = api.call("GET", sessions, null, token, 200).at("/sessions/0");
                assertTrue(onAir.get("live").asBoolean(), onAir.toString());
                assertTrue(onAir.get("bytesIn").asLong() > 0 && onAir.get("videoFrames").asLong() >= 90, onAir.toString());
                for (String id : destinationIds) {
                    JsonNode d = destination(onAir, id);
                    assertEquals("live", d.get("state").asText(), d.toString());
                    assertEquals(List.of("connecting", "live"), states(d));
                    assertTrue(d.get("bytesSent").asLong() > 0 && d.get("liveMillis").asLong() > 0, d.toString());
                }
                killedAfter = Instant.now();
                doomed.stop();
                killedBefore = Instant.now();
                // The failure shows while the show goes on: when, why, and the reconnects so far.
                await().atMost(Duration.ofSeconds(8)).until(() -> {
                    JsonNode now = destination(api.call("GET", sessions, null, token, 200).at("/sessions/0"),
                            destinationIds.get(1));
                    return states(now).contains("retrying") && now.get("reconnects").asLong() >= 1;
                });
                JsonNode showSoFar = api.call("GET", sessions + "/" + onAir.get("id").asLong(), null, token, 200);
                assertTrue(showSoFar.get("live").asBoolean(), "the clip still plays: " + showSoFar);
                JsonNode failing = destination(showSoFar, destinationIds.get(1));
                assertEquals("retrying", failing.at("/transitions/2/state").asText(), failing.toString());
                assertFalse(failing.at("/transitions/2/error").asText().isBlank(), failing.toString());
                assertTrue(List.of("retrying", "connecting").contains(failing.get("state").asText()), failing.toString());
                JsonNode steadyNow = destination(showSoFar, destinationIds.get(0));
                assertEquals("live", steadyNow.get("state").asText());
                assertTrue(steadyNow.get("bytesSent").asLong() > destination(onAir, destinationIds.get(0)).get("bytesSent").asLong(),
                        "bytes so far, growing: " + steadyNow);
                String liveJson = onAir.toString() + showSoFar;
                for (String key : List.of(keys.get(0), keys.get(1), ingestKey)) {
                    assertFalse(liveJson.contains(key), "no key in the live session JSON");
                }
                assertTrue(publisher.waitFor(CLIP_SECONDS + 20, TimeUnit.SECONDS), "the clip ends");
                assertEquals(0, publisher.exitValue(), Files.readString(work.resolve("publisher.log")));
            } finally {
                publisher.destroyForcibly();
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> !api.call("GET", sessions, null, token, 200)
                    .at("/sessions/0/live").asBoolean());
            JsonNode page = api.call("GET", sessions, null, token, 200);
            assertEquals(1, page.get("sessions").size(), page.toString());
            JsonNode session = page.at("/sessions/0");
            assertEquals("stopped", session.get("endReason").asText(), "ffmpeg ended the publish cleanly");
            assertTrue(session.get("bytesIn").asLong() > 0);
            assertTrue(session.get("videoFrames").asLong() > CLIP_SECONDS * 25L, session.toString());
            long sessionMillis = Duration.between(Instant.parse(session.get("startedAt").asText()),
                    Instant.parse(session.get("endedAt").asText())).toMillis();

            JsonNode good = destination(session, destinationIds.get(0));
            assertEquals(List.of("connecting", "live", "stopped"), states(good), "live the whole time: " + good);
            assertEquals(0, good.get("reconnects").asLong());
            assertTrue(good.get("bytesSent").asLong() > 0);
            assertTrue(good.get("liveMillis").asLong() > sessionMillis - 3_000, good + " of " + sessionMillis + " ms");
            assertEquals("127.0.0.1", good.get("host").asText());

            JsonNode bad = destination(session, destinationIds.get(1));
            List<String> badStates = states(bad);
            assertEquals(List.of("connecting", "live", "retrying"), badStates.subList(0, 3), bad.toString());
            assertEquals("stopped", badStates.get(badStates.size() - 1));
            JsonNode failure = bad.at("/transitions/2");
            Instant failedAt = Instant.parse(failure.get("at").asText());
            assertTrue(!failedAt.isBefore(killedAfter.minusMillis(500)) && !failedAt.isAfter(killedBefore.plusSeconds(3)),
                    "failed at " + failedAt + ", killed between " + killedAfter + " and " + killedBefore);
            assertFalse(failure.get("error").asText().isBlank(), "why it failed: " + failure);
            assertTrue(bad.get("bytesSent").asLong() > 0, "it had been live before: " + bad);
            assertTrue(bad.get("liveMillis").asLong() >= 2_000 && bad.get("liveMillis").asLong() < sessionMillis - 5_000,
                    bad.toString());

            JsonNode one = api.call("GET", sessions + "/" + session.get("id").asLong(), null, token, 200);
            assertEquals(session, one);
            String everything = page.toString() + one;
            for (String key : List.of(keys.get(0), keys.get(1), ingestKey)) {
                assertFalse(everything.contains(key), "no key in the session JSON");
            }
        }
    }

    private static JsonNode destination(JsonNode session, String id) {
        for (JsonNode d : session.get("destinations")) {
            if (d.get("id").asText().equals(id)) {
                return d;
            }
        }
        throw new AssertionError("no destination " + id + " in " + session);
    }

    private static List<String> states(JsonNode destination) {
        List<String> states = new ArrayList<>();
        destination.get("transitions").forEach(t -> states.add(t.get("state").asText()));
        return states;
    }
}
