package io.streamhelper.relay.api;

import static io.streamhelper.relay.api.AccountApiTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.testkit.TestKeys;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DestinationApiTest {
    private static final String KEY = TestKeys.destination();

    @TempDir
    Path dir;

    private static ApiFixture api(Path dir) {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        // "evil.example" stands for a public name that resolves into the private network.
        settings.resolver = host -> host.equals("evil.example")
                ? new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 0, 0, 5})}
                : InetAddress.getAllByName(host);
        settings.maxPerStream = 3;
        return new ApiFixture(dir, settings);
    }

    private static long stream(ApiFixture api, String token) throws Exception {
        return api.post("/api/v1/streams", "{\"name\":\"Main\"}", token).json().get("id").asLong();
    }

    @Test
    void knownPlatformsGetTheirIngestAndNoResponseCarriesTheKey() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long streamId = stream(api, alice);
                ApiFixture.Response yt = api.post("/api/v1/stream-destinations",
                        "{\"streamId\":" + streamId + ",\"platform\":\"youtube\",\"streamKey\":\"" + KEY + "\"}", alice);
                assertEquals(201, yt.status(), yt.body());
                JsonNode d = yt.json();
                assertEquals("rtmps://a.rtmps.youtube.com:443/live2", d.get("rtmpUrl").asText(), "RTMPS where offered");
                assertEquals("YouTube Stream", d.get("displayName").asText());
                assertTrue(d.get("enabled").asBoolean());
                assertEquals(streamId, d.get("streamId").asLong());
                assertEquals("idle", d.path("status").path("state").asText(), d.toString());
                for (String field : new String[] {"since", "bytesSent", "bitrateKbps", "reconnects", "lastError"}) {
                    assertTrue(d.get("status").has(field), field);
                }
                long id = d.get("id").asLong();

                ApiFixture.Response fb = api.post("/api/v1/stream-destinations", "{\"streamId\":" + streamId
                        + ",\"platform\":\"facebook\",\"streamKey\":\"" + KEY + "\",\"displayName\":\"FB page\"}", alice);
                assertEquals(201, fb.status(), fb.body());
                assertTrue(fb.json().get("rtmpUrl").asText().startsWith("rtmps://"));
                assertEquals("FB page", fb.json().get("displayName").asText());

                ApiFixture.Response custom = api.post("/api/v1/stream-destinations", "{\"streamId\":" + streamId
                        + ",\"platform\":\"custom\",\"streamKey\":\"" + KEY + "\",\"rtmpUrl\":\"rtmp://8.8.8.8/app\",\"enabled\":false}", alice);
                assertEquals(201, custom.status(), custom.body());
                assertFalse(custom.json().get("enabled").asBoolean());

                ApiFixture.Response update = api.send("PUT", "/api/v1/stream-destinations/" + id,
                        "{\"enabled\":false,\"streamKey\":\"" + KEY + "-2\",\"displayName\":\"YT\"}", alice);
                assertEquals(200, update.status(), update.body());
                assertFalse(update.json().get("enabled").asBoolean());
                assertEquals("YT", update.json().get("displayName").asText());
                assertEquals(KEY + "-2", api.database.destinations().findById(id).orElseThrow().streamKey().reveal(),
                        "the new key is stored");

                String[] reads = {
                    api.get("/api/v1/stream-destinations", alice).body(),
                    api.get("/api/v1/stream-destinations/stream/" + streamId, alice).body(),
                    api.get("/api/v1/stream-destinations/" + id, alice).body(),
                    yt.body(), fb.body(), custom.body(), update.body()};
                for (String body : reads) {
                    assertFalse(body.contains(KEY) || body.contains("streamKey"), "no key in " + body);
                }
                assertEquals(3, api.get("/api/v1/stream-destinations", alice).json().size());

                assertEquals(204, api.send("DELETE", "/api/v1/stream-destinations/" + id, null, alice).status());
                assertEquals(404, api.get("/api/v1/stream-destinations/" + id, alice).status());
                assertEquals(2, api.get("/api/v1/stream-destinations/stream/" + streamId, alice).json().size());

                // Every change is in the audit log, by user id, and no key is in it.
                var audit = api.database.audit().recent(50);
                long aliceId = api.get("/api/v1/auth/me", alice).json().get("id").asLong();
                for (String action : new String[] {"create", "update", "delete"}) {
                    assertTrue(audit.stream().anyMatch(e -> e.action().equals(action) && e.entity().equals("destination")
                            && e.entityId() == id && e.userId() == aliceId), action + " audited: " + audit);
                }
                assertFalse(audit.toString().contains(KEY), "no key in the audit log");
            });
        }
    }

    @Test
    void anotherUsersDestinationsAreOutOfReach() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                String bob = api.userToken("bob@example.com");
                long aliceStream = stream(api, alice);
                long id = api.post("/api/v1/stream-destinations", "{\"streamId\":" + aliceStream
                        + ",\"platform\":\"twitch\",\"streamKey\":\"" + KEY + "\"}", alice).json().get("id").asLong();

                assertEquals(403, api.get("/api/v1/stream-destinations/" + id, bob).status());
                assertEquals(403, api.send("PUT", "/api/v1/stream-destinations/" + id, "{\"enabled\":false}", bob).status());
                assertEquals(403, api.send("DELETE", "/api/v1/stream-destinations/" + id, null, bob).status());
                assertEquals(403, api.get("/api/v1/stream-destinations/stream/" + aliceStream, bob).status());
                assertEquals(403, api.post("/api/v1/stream-destinations", "{\"streamId\":" + aliceStream
                        + ",\"platform\":\"twitch\",\"streamKey\":\"bobs-key\"}", bob).status(), "nor add to her stream");
                assertEquals(0, api.get("/api/v1/stream-destinations", bob).json().size());
                assertTrue(api.get("/api/v1/stream-destinations/" + id, alice).json().get("enabled").asBoolean(), "untouched");
                assertEquals(404, api.get("/api/v1/stream-destinations/424242", bob).status());
            });
        }
    }

    @Test
    void badDestinationRequestsAre400sNamingTheField() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long s = stream(api, alice);
                String path = "/api/v1/stream-destinations";
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"myspace\",\"streamKey\":\"k\"}", alice), "platform");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"custom\",\"streamKey\":\"k\"}", alice), "rtmpUrl");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"custom\",\"streamKey\":\"k\",\"rtmpUrl\":\"http://8.8.8.8/app\"}", alice), "rtmpUrl");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"custom\",\"streamKey\":\"k\",\"rtmpUrl\":\"rtmp://\"}", alice), "rtmpUrl");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"custom\",\"streamKey\":\"k\",\"rtmpUrl\":\"rtmp://8.8.8.8\"}", alice), "rtmpUrl");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"custom\",\"streamKey\":\"k\",\"rtmpUrl\":\"not a url\"}", alice), "rtmpUrl");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"facebook\",\"streamKey\":\"k\",\"rtmpUrl\":\"rtmp://8.8.8.8/rtmp\"}", alice), "rtmpUrl");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"twitch\",\"streamKey\":\"\"}", alice), "streamKey");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"twitch\"}", alice), "streamKey");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"twitch\",\"streamKey\":\"" + "k".repeat(600) + "\"}", alice), "streamKey");
                assertField(api.post(path, "{\"streamId\":\"" + s + "\",\"platform\":\"twitch\",\"streamKey\":\"k\"}", alice), "streamId");
                assertField(api.post(path, "{\"streamId\":1.5,\"platform\":\"twitch\",\"streamKey\":\"k\"}", alice), "streamId");
                assertField(api.post(path, "{\"platform\":\"twitch\",\"streamKey\":\"k\"}", alice), "streamId");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"twitch\",\"streamKey\":\"k\",\"enabled\":\"yes\"}", alice), "enabled");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"twitch\",\"streamKey\":\"k\",\"displayName\":\"" + "n".repeat(101) + "\"}", alice), "displayName");
                assertField(api.post(path, "{\"streamId\":" + s + ",\"platform\":\"twitch\",\"streamKey\":\"k\",\"owner\":1}", alice), "owner");
                assertField(api.send("PUT", path + "/abc", "{}", alice), "id");
                ApiFixture.Response keyNotEchoed = api.post(path, "{\"streamId\":" + s
                        + ",\"platform\":\"twitch\",\"streamKey\":\"secret with spaces\"}", alice);
                assertField(keyNotEchoed, "streamKey");
                assertFalse(keyNotEchoed.body().contains("secret with spaces"), "a refused key is not echoed");
            });
        }
    }

    @Test
    void privateAndLoopbackDestinationsAreRefused() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long s = stream(api, alice);
                for (String url : new String[] {"rtmp://127.0.0.1/app", "rtmp://localhost/app", "rtmp://10.1.2.3/app",
                        "rtmp://192.168.0.10:1935/live", "rtmp://169.254.169.254/app", "rtmp://[::1]/app",
                        "rtmp://224.0.0.1/app", "rtmp://evil.example/app", "rtmps://[fd00::1]:443/app"}) {
                    assertField(api.post("/api/v1/stream-destinations", "{\"streamId\":" + s
                            + ",\"platform\":\"custom\",\"streamKey\":\"k\",\"rtmpUrl\":\"" + url + "\"}", alice), "rtmpUrl");
                }
                long id = api.post("/api/v1/stream-destinations", "{\"streamId\":" + s
                        + ",\"platform\":\"custom\",\"streamKey\":\"k\",\"rtmpUrl\":\"rtmp://8.8.8.8/app\"}", alice).json().get("id").asLong();
                assertField(api.send("PUT", "/api/v1/stream-destinations/" + id, "{\"rtmpUrl\":\"rtmp://10.0.0.1/app\"}", alice), "rtmpUrl");
            });
        }
    }

    @Test
    void limitsOnDestinationsAndBodies() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long s = stream(api, alice);
                for (int i = 0; i < 3; i++) {
                    assertEquals(201, api.post("/api/v1/stream-destinations", "{\"streamId\":" + s
                            + ",\"platform\":\"twitch\",\"streamKey\":\"k" + i + "\"}", alice).status());
                }
                assertField(api.post("/api/v1/stream-destinations", "{\"streamId\":" + s
                        + ",\"platform\":\"twitch\",\"streamKey\":\"k4\"}", alice), "streamId");

                ApiFixture.Response huge = api.post("/api/v1/streams", "{\"name\":\"" + "x".repeat(100_000) + "\"}", alice);
                assertEquals(413, huge.status(), huge.body());
                assertTrue(huge.json().has("error"));
            });
        }
    }

    /**
     * A key pasted into the URL would be stored in clear and returned by every response: refused,
     * naming rtmpUrl, without echoing it. Real ingest URLs (every platform's default, YouTube's
     * backup with ?backup=1, custom app and app/instance) are still taken.
     */
    @Test
    void aKeyInTheUrlIsRefusedAndRealIngestUrlsAreNot() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long s = stream(api, alice);
                String path = "/api/v1/stream-destinations";
                String pasted = TestKeys.twitch();
                String[] refused = {
                    "rtmp://8.8.8.8/app/" + pasted,                          // key as the last path segment
                    "rtmp://8.8.8.8/app/" + pasted + "/",
                    "rtmp://8.8.8.8/app?key=" + pasted,                       // key in the query
                    "rtmps://8.8.8.8:443/live2?backup=1&streamname=" + pasted,
                    "rtmp://8.8.8.8/app?" + pasted,                           // a query that is only the key
                    "rtmp://user:" + pasted + "@8.8.8.8/app",                // user info
                    "rtmp://live@8.8.8.8/app",
                    "rtmp://8.8.8.8/" + KEY,                                  // contains the destination's own key
                    "rtmp://8.8.8.8/app/" + KEY,
                    "rtmp://8.8.8.8/app?s=" + KEY.replace("-", "%2D")};
                for (String url : refused) {
                    for (String platform : new String[] {"custom", "twitch"}) {
                        ApiFixture.Response r = api.post(path, "{\"streamId\":" + s + ",\"platform\":\"" + platform
                                + "\",\"streamKey\":\"" + KEY + "\",\"rtmpUrl\":\"" + url + "\"}", alice);
                        assertField(r, "rtmpUrl");
                        assertTrue(r.json().get("error").asText().contains("streamKey"), "says where the key goes: " + r.body());
                        assertFalse(r.body().contains(pasted) || r.body().contains(KEY) || r.body().contains("8.8.8.8"),
                                "neither the key nor the URL is echoed: " + r.body());
                    }
                }

                String[] allowed = {
                    "{\"platform\":\"twitch\"}", "{\"platform\":\"youtube\"}", "{\"platform\":\"facebook\"}",
                    "{\"platform\":\"kick\"}",
                    "{\"platform\":\"youtube\",\"rtmpUrl\":\"rtmps://b.rtmps.youtube.com:443/live2?backup=1\"}",
                    "{\"platform\":\"twitch\",\"rtmpUrl\":\"rtmp://live.twitch.tv/app?bandwidthtest=true\"}",
                    "{\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://8.8.8.8/app\"}",
                    "{\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://8.8.8.8:1936/app/_definst_\"}",
                    "{\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://8.8.8.8/live/instance1\"}"};
                long last = 0;
                for (String body : allowed) {
                    ApiFixture.Response r = api.post(path, "{\"streamId\":" + s + ",\"streamKey\":\"" + KEY + "\","
                            + body.substring(1), alice);
                    assertEquals(201, r.status(), body + " -> " + r.body());
                    if (last != 0) {
                        assertEquals(204, api.send("DELETE", path + "/" + last, null, alice).status()); // 3 per stream here
                    }
                    last = r.json().get("id").asLong();
                }

                // The same rule on update, against the stored key when no new one is given.
                String put = path + "/" + last;
                assertField(api.send("PUT", put, "{\"rtmpUrl\":\"rtmp://8.8.8.8/app/" + pasted + "\"}", alice), "rtmpUrl");
                assertField(api.send("PUT", put, "{\"rtmpUrl\":\"rtmp://8.8.8.8/" + KEY + "\"}", alice), "rtmpUrl");
                String newKey = TestKeys.destination();
                ApiFixture.Response both = api.send("PUT", put, "{\"streamKey\":\"" + newKey
                        + "\",\"rtmpUrl\":\"rtmp://8.8.8.8/" + newKey + "\"}", alice);
                assertField(both, "rtmpUrl");
                assertFalse(both.body().contains(newKey), both.body());
                ApiFixture.Response fine = api.send("PUT", put, "{\"rtmpUrl\":\"rtmp://8.8.8.8/app/backup\"}", alice);
                assertEquals(200, fine.status(), fine.body());
                assertEquals("rtmp://8.8.8.8/app/backup", fine.json().get("rtmpUrl").asText());
            });
        }
    }

    /**
     * A destination saved before the rule, with its key in the URL, keeps working (the stored URL
     * is untouched) but no response shows the key: the suspicious parts are masked.
     */
    @Test
    void aKeyAlreadyStoredInAUrlIsMaskedInResponses() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long s = stream(api, alice);
                long aliceId = api.get("/api/v1/auth/me", alice).json().get("id").asLong();
                String inPath = TestKeys.twitch();
                String inQuery = TestKeys.twitch();
                String password = TestKeys.twitch();
                String stored = "rtmp://fan:" + password + "@8.8.8.8/app/" + inPath + "?backup=1&k=" + inQuery;
                long id = api.database.destinations().create(s, aliceId, "custom", false, stored,
                        io.streamhelper.relay.engine.secret.Secret.of(KEY), "legacy").id();

                String[] bodies = {api.get("/api/v1/stream-destinations/" + id, alice).body(),
                    api.get("/api/v1/stream-destinations", alice).body(),
                    api.get("/api/v1/stream-destinations/stream/" + s, alice).body(),
                    api.send("PUT", "/api/v1/stream-destinations/" + id, "{\"displayName\":\"old\"}", alice).body()};
                for (String body : bodies) {
                    for (String key : new String[] {inPath, inQuery, password}) {
                        assertFalse(body.contains(key), "no key in " + body);
                    }
                }
                assertEquals("rtmp://***@8.8.8.8/app/***?backup=1&k=***",
                        api.get("/api/v1/stream-destinations/" + id, alice).json().get("rtmpUrl").asText());
                assertEquals(stored, api.database.destinations().findById(id).orElseThrow().rtmpUrl(),
                        "the relay still publishes to the URL as stored");
            });
        }
    }

    /** An AES-GCM AEAD that counts what it decrypts: the test's view into the real SecretBox. */
    private static final class CountingAead implements com.google.crypto.tink.Aead {
        private final com.google.crypto.tink.Aead real;
        final java.util.concurrent.atomic.AtomicInteger decryptions = new java.util.concurrent.atomic.AtomicInteger();

        CountingAead() throws java.security.GeneralSecurityException {
            com.google.crypto.tink.Configuration aeadOnly = com.google.crypto.tink.aead.AeadConfig2026.get();
            real = com.google.crypto.tink.KeysetHandle.generateNew(
                    com.google.crypto.tink.aead.PredefinedAeadParameters.AES256_GCM, aeadOnly)
                    .getPrimitive(aeadOnly, com.google.crypto.tink.Aead.class);
        }

        @Override
        public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws java.security.GeneralSecurityException {
            return real.encrypt(plaintext, associatedData);
        }

        @Override
        public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws java.security.GeneralSecurityException {
            decryptions.incrementAndGet();
            return real.decrypt(ciphertext, associatedData);
        }
    }

    /**
     * Listing shows no key, so it decrypts none: N destinations listed (all three list routes and
     * a single read) cost zero decryptions through the real SecretBox and database. The relay,
     * which uses the key, still gets it: opening it decrypts exactly once.
     */
    @Test
    void listingDestinationsDecryptsNoKey() throws Exception {
        CountingAead aead = new CountingAead();
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.maxPerStream = 25;
        settings.secrets = io.streamhelper.relay.catalog.secret.SecretBox.of(aead);
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long s = stream(api, alice);
                int n = 25;
                java.util.List<String> keys = new java.util.ArrayList<>();
                long first = 0;
                for (int i = 0; i < n; i++) {
                    String key = TestKeys.destination();
                    keys.add(key);
                    ApiFixture.Response r = api.post("/api/v1/stream-destinations", "{\"streamId\":" + s
                            + ",\"platform\":\"twitch\",\"enabled\":false,\"streamKey\":\"" + key + "\"}", alice);
                    assertEquals(201, r.status(), r.body());
                    first = first == 0 ? r.json().get("id").asLong() : first;
                }
                aead.decryptions.set(0);
                assertEquals(n, api.get("/api/v1/stream-destinations", alice).json().size());
                assertEquals(200, api.get("/api/v1/stream-destinations/" + first, alice).status());
                assertEquals(200, api.send("PUT", "/api/v1/stream-destinations/" + first,
                        "{\"displayName\":\"renamed\"}", alice).status());
                assertEquals(0, aead.decryptions.get(), "listing and reading destinations decrypted keys");
                // By stream: the ownership check reads the stream, whose record (with its ingest key,
                // which stream responses show) is opened: one decryption, whatever the number of destinations.
                assertEquals(n, api.get("/api/v1/stream-destinations/stream/" + s, alice).json().size());
                assertEquals(1, aead.decryptions.get(), "only the stream's own key, none of its " + n + " destinations'");
                aead.decryptions.set(0);

                var record = api.database.destinations().findById(first).orElseThrow();
                assertEquals(keys.get(0), record.streamKey().reveal(), "the key opens where it is used");
                assertEquals(keys.get(0), record.streamKey().reveal());
                assertEquals(1, aead.decryptions.get(), "once");
            });
        }
    }

    /**
     * videoCodecs (issue 22): presets show their platform's list, a custom destination takes any
     * (null) until restricted; names are FourCCs or the names ffprobe prints; unknown names, an
     * empty list and a codec the platform does not take are each a 400 naming the field and the
     * problem; null lifts a restriction.
     */
    @Test
    void videoCodecsAreTheirPlatformsUnlessRestrictedAndAreChecked() throws Exception {
        try (ApiFixture api = api(dir)) {
            api.test(() -> {
                String alice = api.userToken("alice@example.com");
                long streamId = stream(api, alice);
                String base = "{\"streamId\":" + streamId + ",\"streamKey\":\"" + KEY + "\",";
                ApiFixture.Response twitch = api.post("/api/v1/stream-destinations", base + "\"platform\":\"twitch\"}", alice);
                assertEquals("[\"avc1\"]", twitch.json().get("videoCodecs").toString());
                ApiFixture.Response yt = api.post("/api/v1/stream-destinations", base + "\"platform\":\"youtube\","
                        + "\"videoCodecs\":[\"h264\",\"hevc\"]}", alice);
                assertEquals(201, yt.status(), yt.body());
                assertEquals("[\"avc1\",\"hvc1\"]", yt.json().get("videoCodecs").toString(), "stored as FourCCs");

                String custom = base + "\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://8.8.8.8/app\"";
                ApiFixture.Response any = api.post("/api/v1/stream-destinations", custom + "}", alice);
                assertTrue(any.json().get("videoCodecs").isNull(), any.body());

                ApiFixture.Response unknown = api.post("/api/v1/stream-destinations", custom + ",\"videoCodecs\":[\"avc1\",\"xvid\"]}", alice);
                assertField(unknown, "videoCodecs");
                assertTrue(unknown.json().get("error").asText().contains("unknown codec 'xvid'"), unknown.body());
                assertField(api.post("/api/v1/stream-destinations", custom + ",\"videoCodecs\":[]}", alice), "videoCodecs");
                assertField(api.post("/api/v1/stream-destinations", custom + ",\"videoCodecs\":\"avc1\"}", alice), "videoCodecs");
                ApiFixture.Response notTwitch = api.send("PUT", "/api/v1/stream-destinations/" + twitch.json().get("id").asLong(),
                        "{\"videoCodecs\":[\"hvc1\"]}", alice);
                assertField(notTwitch, "videoCodecs");
                assertTrue(notTwitch.json().get("error").asText().contains("Twitch accepts only avc1"), notTwitch.body());

                long customId = any.json().get("id").asLong();
                ApiFixture.Response restricted = api.send("PUT", "/api/v1/stream-destinations/" + customId,
                        "{\"videoCodecs\":[\"av01\"]}", alice);
                assertEquals("[\"av01\"]", restricted.json().get("videoCodecs").toString(), restricted.body());
                ApiFixture.Response lifted = api.send("PUT", "/api/v1/stream-destinations/" + customId,
                        "{\"videoCodecs\":null}", alice);
                assertTrue(lifted.json().get("videoCodecs").isNull(), lifted.body());
                assertEquals(0, api.database.destinations().findById(customId).orElseThrow().videoCodecs().size());
            });
        }
    }
}
