package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.catalog.store.KeyMismatchException;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.testkit.FrameReader;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.LiveEncoder;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rotating the encryption key of a running relay, with real peers: ffmpeg publishes a live
 * picture, the relay relays it to two nginx-rtmp destinations (their on_publish/on_publish_done
 * hooks say what a platform saw), an admin rotates the key through the API, and the broadcast
 * goes on untouched. Then the server restarts on the new key and relays again, and the old key,
 * read by us from the database file, opens nothing.
 */
class EncryptionKeyRotationTest {
    private final List<String> destinationKeys = List.of(TestKeys.destination(), TestKeys.destination());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Path work;
    private Path dataDir;
    private HookServer hooks;
    private List<NginxRtmp> sinks;
    private RelayServer relay;
    private RelayHttp api;
    private String token;
    private String ingestKey;
    /** A player on each destination: what a viewer of the platform sees. */
    private final List<FrameReader> viewers = new ArrayList<>();
    private long rotatedAt;

    @BeforeEach
    void startDestinations() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "key-rotation-");
        dataDir = TestRelayConfig.freshDataDir();
        hooks = new HookServer();
        sinks = List.of(NginxRtmp.start(work.resolve("n1"), NginxRtmp.options().hooks(hooks)),
                NginxRtmp.start(work.resolve("n2"), NginxRtmp.options().hooks(hooks)));
    }

    @AfterEach
    void stopEverything() throws Exception {
        stopRelay();
        Closing.all(sinks, hooks);
    }

    @Test
    void keysetRotationWhileLiveNeverEndsTheBroadcastAndTheOldKeysetOpensNothing() throws Exception {
        start();
        Path keyset = dataDir.resolve(SecretBox.KEYSET_FILE_NAME);
        Path oldKeyset = work.resolve("keyset-before-rotation.json"); // what a backup taken before holds
        Files.copy(keyset, oldKeyset);
        goLiveWithTwoDestinations();

        api.call("POST", "/api/v1/admin/encryption-key/rotate", null, nonAdminToken(), 403);
        JsonNode rotation = api.call("POST", "/api/v1/admin/encryption-key/rotate", null, token, 200);

        assertEquals("keyset", rotation.get("mode").asText());
        assertEquals(1, rotation.path("resealed").path("streams").asInt());
        assertEquals(2, rotation.path("resealed").path("destinations").asInt());
        assertFalse(rotation.toString().contains(keyMaterial(keyset)), "the answer holds no key");
        assertFalse(Files.readString(keyset).contains(keyMaterial(oldKeyset)), "the old key left the keyset file");
        assertBroadcastGoesOn();

        restartAndPublishAgain();
        assertOldKeyOpensNothing(SecretBox.fromKeysetFile(oldKeyset));
    }

    @Test
    void encryptionKeyRotationWhileLiveThenARestartOnTheNewKey() throws Exception {
        String oldKey = TestKeys.encryptionKeyHex();
        String newKey = TestKeys.encryptionKeyHex();
        start("ENCRYPTION_KEY", oldKey);
        goLiveWithTwoDestinations();

        api.call("POST", "/api/v1/admin/encryption-key/rotate", null, token, 400); // newKey is required here
        JsonNode rotation = api.call("POST", "/api/v1/admin/encryption-key/rotate",
                "{\"newKey\":\"" + newKey + "\"}", token, 200);

        assertEquals("encryption_key", rotation.get("mode").asText());
        assertEquals(3, rotation.path("resealed").path("streams").asInt()
                + rotation.path("resealed").path("destinations").asInt());
        assertTrue(rotation.get("nextStep").asText().contains("ENCRYPTION_KEY"), rotation.toString());
        assertFalse(rotation.toString().toLowerCase().contains(newKey.toLowerCase()), "the answer does not echo the key");
        assertBroadcastGoesOn();

        // The operator forgets to change ENCRYPTION_KEY: the server says so and does not start.
        stopRelay();
        KeyMismatchException refused = assertThrows(KeyMismatchException.class, () -> RelayServer.start(
                TestRelayConfig.with("RELAY_DATA_DIR", dataDir.toString(), "ENCRYPTION_KEY", oldKey),
                new StaticStreamCatalog(List.of())));
        assertTrue(refused.getMessage().startsWith("ENCRYPTION_KEY does not open this database: was the key rotated?"));

        restartAndPublishAgain("ENCRYPTION_KEY", newKey);
        assertOldKeyOpensNothing(SecretBox.fromHexKey(oldKey));
    }

    /** A second account, created by the admin: a user, not an admin. */
    private String nonAdminToken() throws Exception {
        String credentials = "{\"email\":\"viewer@example.com\",\"password\":\"another long passphrase\"}";
        api.call("POST", "/api/v1/users", credentials.replace("}", ",\"role\":\"user\"}"), token, 201);
        return TestKeys.issued(api.call("POST", "/api/v1/auth/login", credentials, null, 200).get("token").asText());
    }

    private void start(String... env) throws Exception {
        List<String> settings = new ArrayList<>(List.of("RELAY_DATA_DIR", dataDir.toString()));
        settings.addAll(List.of(env));
        relay = RelayServer.start(TestRelayConfig.with(settings.toArray(String[]::new)), new StaticStreamCatalog(List.of()));
        api = new RelayHttp(relay.httpPort());
    }

    private void goLiveWithTwoDestinations() throws Exception {
        token = api.signUpAndLogin("operator@example.com", "a long passphrase");
        JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
        ingestKey = TestKeys.issued(stream.get("key").asText());
        for (int i = 0; i < 2; i++) {
            api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + stream.get("id").asLong()
                    + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sinks.get(i).rtmpUrl() + "\",\"streamKey\":\""
                    + destinationKeys.get(i) + "\"}", token, 201);
        }
        encode("encoder-1.log");
        await().atMost(Duration.ofSeconds(15)).until(() -> destinationKeys.stream().allMatch(k -> hooks.saw("publish", k)));
        await().atMost(Duration.ofSeconds(10)).until(() -> framesSent().stream().allMatch(n -> n >= 30));
        if (viewers.isEmpty()) {
            for (int i = 0; i < 2; i++) {
                FrameReader viewer = FrameReader.start(sinks.get(i).rtmpUrl() + "/" + destinationKeys.get(i), 15,
                        work.resolve("viewer-" + i + ".err"));
                toClose.add(viewer);
                viewers.add(viewer);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> viewers.stream().allMatch(v -> v.videoFrames().size() >= 10));
        }
        rotatedAt = System.nanoTime(); // the rotation comes next
    }

    /** Both destinations: one publish, no publish_done, and frames still arriving after the rotation. */
    private void assertBroadcastGoesOn() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> viewers.stream().allMatch(v ->
                v.videoFrames().stream().filter(f -> f.seenAtNanos() > rotatedAt).count() >= 60));
        assertTrue(viewers.stream().allMatch(FrameReader::isReading), "the viewers of both destinations kept playing");
        for (String key : destinationKeys) {
            assertEquals(1, hooks.calls("publish").stream().filter(c -> key.equals(c.name())).count(), "one publish");
        }
        assertTrue(hooks.calls("publish_done").isEmpty(), "no destination saw the publish end: "
                + hooks.calls().stream().map(HookServer.HookCall::call).toList());
    }

    private void restartAndPublishAgain(String... env) throws Exception {
        stopRelay();
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.calls("publish_done").size() == 2);
        start(env);
        token = TestKeys.issued(api.call("POST", "/api/v1/auth/login",
                "{\"email\":\"operator@example.com\",\"password\":\"a long passphrase\"}", null, 200).get("token").asText());
        encode("encoder-2.log");
        await().atMost(Duration.ofSeconds(15)).until(() -> destinationKeys.stream().allMatch(
                k -> hooks.calls("publish").stream().filter(c -> k.equals(c.name())).count() == 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> framesSent().stream().allMatch(n -> n >= 30));
    }

    private void stopRelay() throws Exception {
        try {
            Closing.all(toClose, relay);
        } finally {
            toClose.clear();
            relay = null;
        }
    }

    /** Every ciphertext in the database file, tried with the old key alone. */
    private void assertOldKeyOpensNothing(SecretBox old) throws Exception {
        Map<String, String> queries = Map.of(
                "stream", "SELECT id, owner_id, key_ciphertext FROM streams WHERE key_ciphertext IS NOT NULL",
                "destination", "SELECT id, owner_id, stream_key_ciphertext FROM stream_destinations"
                        + " WHERE stream_key_ciphertext IS NOT NULL",
                "key_check", "SELECT id, 0, ciphertext FROM key_check");
        int tried = 0;
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(DatabaseSettings.SQLITE_FILE_NAME));
             Statement sql = raw.createStatement()) {
            for (var query : queries.entrySet()) {
                try (ResultSet rs = sql.executeQuery(query.getValue())) {
                    while (rs.next()) {
                        byte[] ad = (query.getKey() + ":" + rs.getLong(1) + ":owner:" + rs.getLong(2)).getBytes(StandardCharsets.UTF_8);
                        byte[] ciphertext = rs.getBytes(3);
                        assertThrows(SecretDecryptionException.class, () -> old.open(ciphertext, ad),
                                query.getKey() + " " + ad.length + " still opens with the old key");
                        tried++;
                    }
                }
            }
        }
        assertEquals(4, tried, "one stream, two destinations, the key check");
    }

    private void encode(String log) {
        toClose.add(LiveEncoder.start("rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey, 640, 360, null,
                work.resolve(log)));
    }

    /** Frames the relay sent to each destination so far, from the stats. */
    private List<Long> framesSent() throws Exception {
        JsonNode streams = api.call("GET", "/api/v1/stats", null, token, 200).path("streams");
        List<Long> sent = new ArrayList<>();
        if (!streams.isEmpty()) {
            streams.get(0).path("destinations").forEach(d -> sent.add(d.path("framesSent").asLong()));
        }
        while (sent.size() < 2) {
            sent.add(0L);
        }
        return sent;
    }

    /** The base64 key value of a keyset file (never printed: only looked for). */
    private static String keyMaterial(Path keyset) throws Exception {
        String json = Files.readString(keyset);
        int at = json.indexOf("\"value\"");
        int start = json.indexOf('"', json.indexOf(':', at) + 1) + 1;
        return json.substring(start, json.indexOf('"', start));
    }
}
