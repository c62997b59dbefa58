package io.streamhelper.relay.api;

import static io.streamhelper.relay.api.AccountApiTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.stream.LiveStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamApiTest {
    @TempDir
    Path dir;

    @Test
    void withRtmpsOnTheStreamOffersTheRtmpsAddressFirstAndBothByScheme() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.ingestPorts = new ApiServer.IngestPorts(java.util.OptionalInt.of(1935), java.util.OptionalInt.of(1936));
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                JsonNode stream = api.post("/api/v1/streams", "{\"name\":\"Show\"}", alice).json();
                assertEquals("rtmps://relay.example:1936/live", stream.get("ingestUrl").asText());
                assertEquals("rtmps://relay.example:1936/live", stream.get("ingestUrls").get("rtmps").asText());
                assertEquals("rtmp://relay.example/live", stream.get("ingestUrls").get("rtmp").asText());
                JsonNode listed = api.get("/api/v1/streams", alice).json().get(0);
                assertEquals(stream.get("ingestUrls"), listed.get("ingestUrls"));
            });
        }
    }

    @Test
    void rtmpsOnlyOffersNoPlainAddress() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.ingestPorts = new ApiServer.IngestPorts(java.util.OptionalInt.empty(), java.util.OptionalInt.of(443));
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                JsonNode stream = api.post("/api/v1/streams", "{\"name\":\"Show\"}", alice).json();
                assertEquals("rtmps://relay.example/live", stream.get("ingestUrl").asText());
                assertEquals(1, stream.get("ingestUrls").size());
                assertFalse(stream.get("ingestUrls").has("rtmp"));
            });
        }
    }

    @Test
    void createListGetRotateDelete() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                ApiFixture.Response created = api.post("/api/v1/streams", "{\"name\":\"  Evening show  \"}", alice);
                assertEquals(201, created.status(), created.body());
                JsonNode stream = created.json();
                long id = stream.get("id").asLong();
                String key = stream.get("key").asText();
                assertEquals("Evening show", stream.get("name").asText());
                assertEquals(api.get("/api/v1/auth/me", alice).json().get("id").asLong(), stream.get("ownerId").asLong());
                assertTrue(key.matches("[A-Za-z0-9_-]{32}"), "a 192-bit URL-safe key: " + key);
                assertEquals("rtmp://relay.example/live", stream.get("ingestUrl").asText());
                assertEquals("rtmp://relay.example/live", stream.get("ingestUrls").get("rtmp").asText());
                assertFalse(stream.get("ingestUrls").has("rtmps"), "RTMPS is off in this fixture");
                assertFalse(stream.get("isLive").asBoolean());
                assertTrue(stream.has("createdAt"));

                assertEquals(1, api.get("/api/v1/streams", alice).json().size());
                assertEquals(key, api.get("/api/v1/streams/" + id, alice).json().get("key").asText());

                ApiFixture.Response rotated = api.post("/api/v1/streams/" + id + "/rotate-key", null, alice);
                assertEquals(200, rotated.status(), rotated.body());
                assertNotEquals(key, rotated.json().get("key").asText());
                assertTrue(api.database.streams().findByKey(key).isEmpty(), "the old key no longer opens the stream");

                assertEquals(204, api.send("DELETE", "/api/v1/streams/" + id, null, alice).status());
                assertEquals(404, api.get("/api/v1/streams/" + id, alice).status());
                assertEquals(0, api.get("/api/v1/streams", alice).json().size());
                assertEquals(404, api.send("DELETE", "/api/v1/streams/" + id, null, alice).status());
            });
        }
    }

    @Test
    void renameChangesTheNameOnlyForTheOwnerAndChecksIt() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                String bob = api.userToken("bob@example.com");
                JsonNode stream = api.post("/api/v1/streams", "{\"name\":\"Old name\"}", alice).json();
                long id = stream.get("id").asLong();
                ApiFixture.Response renamed = api.send("PUT", "/api/v1/streams/" + id, "{\"name\":\" New name \"}", alice);
                assertEquals(200, renamed.status(), renamed.body());
                assertEquals("New name", renamed.json().get("name").asText());
                assertEquals(stream.get("key").asText(), renamed.json().get("key").asText(), "the key stays");
                assertEquals("New name", api.get("/api/v1/streams/" + id, alice).json().get("name").asText());
                assertField(api.send("PUT", "/api/v1/streams/" + id, "{\"name\":\"\"}", alice), "name");
                assertField(api.send("PUT", "/api/v1/streams/" + id, "{\"key\":\"mine\"}", alice), "key");
                assertEquals(403, api.send("PUT", "/api/v1/streams/" + id, "{\"name\":\"Bob's\"}", bob).status());
                assertEquals(404, api.send("PUT", "/api/v1/streams/999", "{\"name\":\"x\"}", alice).status());
            });
        }
    }

    @Test
    void deletingALiveStreamDisconnectsItsPublisher() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                ApiFixture.CreatedStream created = api.createStream(alice, "Live one");
                long id = created.id();
                String key = created.key();
                LiveStream live = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
                AtomicBoolean publisherClosed = new AtomicBoolean();
                live.onDisconnectRequest(() -> publisherClosed.set(true));
                assertTrue(api.get("/api/v1/streams/" + id, alice).json().get("isLive").asBoolean());

                assertEquals(204, api.send("DELETE", "/api/v1/streams/" + id, null, alice).status());
                assertTrue(publisherClosed.get(), "the publisher of a deleted stream is disconnected");
                assertTrue(live.isEnded() && api.registry.liveStreams().isEmpty(), "and the stream has ended");
                assertTrue(api.database.streams().findByKey(key).isEmpty(), "its key opens nothing any more");
            });
        }
    }

    /**
     * A dropped encoder leaves the stream on air, waiting: still isLive (its destinations stay
     * published), state reconnecting, and when the relay stops waiting. A publish with the key
     * continues it; a grace that runs out takes it offline.
     */
    @Test
    void aStreamSaysWhetherItIsLiveReconnectingOrOffline() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                ApiFixture.CreatedStream created = api.createStream(alice, "Drops out");
                long id = created.id();
                String key = created.key();
                assertEquals("offline", created.json().get("state").asText());
                assertTrue(created.json().get("graceEndsAt").isNull());

                Publication first = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                JsonNode live = api.get("/api/v1/streams/" + id, alice).json();
                assertTrue(live.get("isLive").asBoolean());
                assertEquals("live", live.get("state").asText());
                assertTrue(live.get("graceEndsAt").isNull(), live.toString());

                Instant before = Instant.now();
                first.lost();
                JsonNode waiting = api.get("/api/v1/streams/" + id, alice).json();
                assertEquals("reconnecting", waiting.get("state").asText(), waiting.toString());
                assertTrue(waiting.get("isLive").asBoolean(), "on air while the relay waits for the encoder");
                Instant graceEndsAt = Instant.parse(waiting.get("graceEndsAt").asText());
                assertTrue(!graceEndsAt.isBefore(before) && !graceEndsAt.isAfter(Instant.now().plusSeconds(30)),
                        "the default 30 s grace, from the drop: " + graceEndsAt);
                assertEquals(waiting, api.get("/api/v1/streams", alice).json().get(0), "the list says the same");

                Publication second = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                JsonNode back = api.get("/api/v1/streams/" + id, alice).json();
                assertEquals("live", back.get("state").asText(), back.toString());
                assertTrue(back.get("graceEndsAt").isNull());

                second.lost();
                api.streamTime.advance(Duration.ofSeconds(31));
                JsonNode over = api.get("/api/v1/streams/" + id, alice).json();
                assertEquals("offline", over.get("state").asText(), over.toString());
                assertFalse(over.get("isLive").asBoolean(), "the grace ran out: the stream ended");
            });
        }
    }

    @Test
    void anotherUsersStreamIs403AndAMissingOne404() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                String bob = api.userToken("bob@example.com");
                ApiFixture.CreatedStream created = api.createStream(alice, "Alice's");
                long id = created.id();
                String key = created.key();

                ApiFixture.Response read = api.get("/api/v1/streams/" + id, bob);
                assertEquals(403, read.status());
                assertFalse(read.body().contains(key) || read.body().contains("Alice"), "a 403 tells nothing: " + read.body());
                assertEquals(403, api.post("/api/v1/streams/" + id + "/rotate-key", null, bob).status());
                assertEquals(403, api.send("DELETE", "/api/v1/streams/" + id, null, bob).status());
                assertEquals(0, api.get("/api/v1/streams", bob).json().size(), "bob's list has only bob's");
                assertEquals(key, api.get("/api/v1/streams/" + id, alice).json().get("key").asText(), "untouched");

                assertEquals(404, api.get("/api/v1/streams/999999", bob).status());
            });
        }
    }

    @Test
    void badStreamRequestsAre400sNamingTheField() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                assertField(api.post("/api/v1/streams", "{}", alice), "name");
                assertField(api.post("/api/v1/streams", "{\"name\":\"   \"}", alice), "name");
                assertField(api.post("/api/v1/streams", "{\"name\":7}", alice), "name");
                assertField(api.post("/api/v1/streams", "{\"name\":\"" + "x".repeat(101) + "\"}", alice), "name");
                assertField(api.post("/api/v1/streams", "{\"name\":\"a\",\"key\":\"mine\"}", alice), "key");
                assertField(api.get("/api/v1/streams/abc", alice), "id");
                assertField(api.get("/api/v1/streams/-1", alice), "id");
                assertField(api.get("/api/v1/streams/99999999999999999999999", alice), "id");
                assertField(api.send("DELETE", "/api/v1/streams/1.5", null, alice), "id");
            });
        }
    }
}
