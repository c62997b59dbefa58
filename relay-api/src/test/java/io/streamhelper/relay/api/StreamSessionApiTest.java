package io.streamhelper.relay.api;

import static io.streamhelper.relay.api.AccountApiTest.assertField;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/streams/{id}/sessions and /sessions/{sessionId}: a stream's past broadcasts, its owner's only. */
class StreamSessionApiTest {
    private static final Instant SHOW = Instant.parse("2026-03-01T21:00:00Z");

    @TempDir
    Path dir;

    /** A past show written as the engine's report would be, started {@code hour} hours after {@link #SHOW}. */
    private static void pastShow(ApiFixture api, long streamId, int hour) {
        Instant started = SHOW.plus(Duration.ofHours(hour));
        SessionReport.Destination twitch = new SessionReport.Destination("3", "Twitch", "twitch", "live.twitch.tv", 60_000,
                4096, 1800, 0, 1, List.of(new SessionReport.Transition(started.plusSeconds(840), "retrying",
                        "connection reset by the destination")), 0);
        api.database.streamSessions().finish(streamId, null, new SessionReport(String.valueOf(streamId), started,
                started.plusSeconds(900), EndReason.STOPPED, 1 << 20, 27_000, 0, List.of(twitch)), 50);
    }

    @Test
    void aBroadcastIsListedLiveWhileItRunsAndWithHowItEndedAfterwards() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                ApiFixture.CreatedStream created = api.createStream(alice, "Evening");
                long id = created.id();
                String key = created.key();
                String path = "/api/v1/streams/" + id + "/sessions";
                assertEquals(0, api.get(path, alice).json().get("sessions").size());

                Publication publisher = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                await().atMost(Duration.ofSeconds(5)).until(() -> api.get(path, alice).json().get("sessions").size() == 1);
                JsonNode live = api.get(path, alice).json().get("sessions").get(0);
                assertTrue(live.get("live").asBoolean(), live.toString());
                assertTrue(live.get("endedAt").isNull());

                publisher.end();
                await().atMost(Duration.ofSeconds(5)).until(() -> !api.get(path, alice).json().at("/sessions/0/live").asBoolean());
                JsonNode page = api.get(path, alice).json();
                assertEquals(1, page.get("sessions").size(), "the same session, ended: not a second one");
                JsonNode ended = page.get("sessions").get(0);
                assertEquals("stopped", ended.get("endReason").asText());
                assertFalse(ended.get("endedAt").isNull());
                assertTrue(page.get("next").isNull());
                JsonNode one = api.get(path + "/" + ended.get("id").asLong(), alice).json();
                assertEquals(ended, one, "the single session reads as in the list");
                assertFalse(page.toString().contains(key), "no key in a session");
            });
        }
    }

    @Test
    void pagesGoNewestFirstWithANextCursorUntilTheFirstShow() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long id = api.createStream(alice, "Weekly").id();
                for (int hour = 0; hour < 5; hour++) {
                    pastShow(api, id, hour);
                }
                List<String> started = new ArrayList<>();
                String next = null;
                int pages = 0;
                do {
                    String query = "?limit=2" + (next == null ? "" : "&before=" + next);
                    ApiFixture.Response response = api.get("/api/v1/streams/" + id + "/sessions" + query, alice);
                    assertEquals(200, response.status(), response.body());
                    response.json().get("sessions").forEach(s -> started.add(s.get("startedAt").asText()));
                    next = response.json().get("next").isNull() ? null : response.json().get("next").asText();
                    pages++;
                } while (next != null);
                assertEquals(3, pages);
                assertEquals(List.of("2026-03-02T01:00:00Z", "2026-03-02T00:00:00Z", "2026-03-01T23:00:00Z",
                        "2026-03-01T22:00:00Z", "2026-03-01T21:00:00Z"), started);
                JsonNode newest = api.get("/api/v1/streams/" + id + "/sessions", alice).json().at("/sessions/0");
                JsonNode twitch = newest.at("/destinations/0");
                assertEquals("live.twitch.tv", twitch.get("host").asText());
                assertEquals("retrying", twitch.at("/transitions/0/state").asText());
                assertEquals("connection reset by the destination", twitch.at("/transitions/0/error").asText());
                assertEquals("2026-03-02T01:14:00Z", twitch.at("/transitions/0/at").asText());
                assertEquals(5, api.get("/api/v1/streams/" + id + "/sessions", alice).json().get("sessions").size(),
                        "20 by default");
            });
        }
    }

    @Test
    void anotherUsersStreamsSessionsAreRefusedAsTheStreamIs() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                String bob = api.userToken("bob@example.com");
                long id = api.createStream(alice, "Alice's").id();
                pastShow(api, id, 0);
                long sessionId = api.get("/api/v1/streams/" + id + "/sessions", alice).json().at("/sessions/0/id").asLong();
                assertEquals(api.get("/api/v1/streams/" + id, bob).status(),
                        api.get("/api/v1/streams/" + id + "/sessions", bob).status(), "as GET /streams/{id} answers");
                assertEquals(403, api.get("/api/v1/streams/" + id + "/sessions", bob).status());
                assertEquals(403, api.get("/api/v1/streams/" + id + "/sessions/" + sessionId, bob).status());
                assertEquals(404, api.get("/api/v1/streams/999/sessions", alice).status());
                long other = api.createStream(alice, "Other").id();
                assertEquals(404, api.get("/api/v1/streams/" + other + "/sessions/" + sessionId, alice).status(),
                        "a session under another stream's id is not found");
                assertEquals(401, api.get("/api/v1/streams/" + id + "/sessions", null).status());
            });
        }
    }

    @Test
    void badParametersAre400NamingTheField() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long id = api.createStream(alice, "Mine").id();
                String path = "/api/v1/streams/" + id + "/sessions";
                for (String limit : List.of("0", "101", "-1", "ten", "1.5", "99999999999999999999", "")) {
                    assertField(api.get(path + "?limit=" + limit, alice), "limit");
                }
                for (String before : List.of("0", "-5", "abc", "99999999999999999999")) {
                    assertField(api.get(path + "?before=" + before, alice), "before");
                }
                assertEquals(200, api.get(path + "?limit=100", alice).status());
                assertField(api.get("/api/v1/streams/x/sessions", alice), "id");
                assertField(api.get(path + "/0", alice), "sessionId");
            });
        }
    }
}
