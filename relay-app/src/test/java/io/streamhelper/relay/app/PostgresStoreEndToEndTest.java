package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RelayServer with RELAY_DATABASE_URL pointing at a real PostgreSQL server (relay-testkit's
 * PostgresServer): what is made through the API survives a restart that starts from an empty data
 * directory (so it was in PostgreSQL, not in a SQLite file), and a publish relays from ffmpeg to
 * nginx-rtmp with the destination read from PostgreSQL. A database that cannot be reached stops
 * the start with a message naming RELAY_DATABASE_URL and never the password.
 */
class PostgresStoreEndToEndTest {

    @Test
    void accountsStreamsAndDestinationsLiveInPostgresqlAcrossARestartAndAPublishRelays() throws Exception {
        Tools.require("ffmpeg", "nginx");
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "pg-e2e-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        String destinationKey = TestKeys.destination();
        // With a shared database the key cannot be a keyset in one node's data directory.
        String encryptionKey = TestKeys.encryptionKeyHex();
        String[] postgres = {"RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", encryptionKey};
        RelayConfig first = TestRelayConfig.with(postgres);
        assertFalse(first.database().isSqlite());
        long streamId;
        String ingestKey;
        try (HookServer hooks = new HookServer();
                NginxRtmp sink = NginxRtmp.start(work.resolve("sink"), NginxRtmp.options().hooks(hooks))) {
            try (RelayServer relay = RelayServer.start(first, new StaticStreamCatalog(List.of()))) {
                RelayHttp api = new RelayHttp(relay.httpPort());
                String token = api.signUpAndLogin("streamer@example.com", "a long passphrase");
                JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
                streamId = stream.get("id").asLong();
                ingestKey = TestKeys.issued(stream.get("key").asText());
                api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId
                        + ",\"platform\":\"custom\",\"rtmpUrl\":\"" + sink.rtmpUrl() + "\",\"streamKey\":\""
                        + destinationKey + "\",\"displayName\":\"nginx\"}", token, 201);
            }
            assertFalse(Files.exists(first.dataDir().resolve("relay.db")), "no SQLite database was made beside PostgreSQL");

            // Another data directory, as a second machine would have: only PostgreSQL holds the data.
            RelayConfig second = TestRelayConfig.with(postgres);
            try (RelayServer relay = RelayServer.start(second, new StaticStreamCatalog(List.of()))) {
                RelayHttp api = new RelayHttp(relay.httpPort());
                String token = api.login("streamer@example.com", "a long passphrase");
                assertEquals("admin", api.call("GET", "/api/v1/auth/me", null, token, 200).get("role").asText());
                assertEquals("Main show", api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("name").asText());
                JsonNode destinations = api.call("GET", "/api/v1/stream-destinations/stream/" + streamId, null, token, 200);
                assertEquals(1, destinations.size());
                assertEquals("nginx", destinations.get(0).get("displayName").asText());

                Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey,
                        work.resolve("publisher.log"));
                try {
                    await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish", destinationKey));
                    Ffmpeg.ProbeResult probe = Ffmpeg.probe(sink.rtmpUrl() + "/" + destinationKey, Duration.ofSeconds(15));
                    assertEquals("h264", probe.video().orElseThrow().codecName());
                    assertEquals("aac", probe.audio().orElseThrow().codecName());
                    assertTrue(api.call("GET", "/api/v1/streams/" + streamId, null, token, 200).get("isLive").asBoolean());
                } finally {
                    publisher.destroyForcibly();
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> hooks.saw("publish_done", destinationKey));
                await().atMost(Duration.ofSeconds(5)).until(() -> api.call("GET", "/api/v1/streams/" + streamId + "/sessions",
                        null, token, 200).toString().contains("endReason"));
            }
            assertFalse(Files.exists(second.dataDir().resolve("relay.db")));
        }
    }

    @Test
    void anUnreachableDatabaseOrAWrongPasswordStopsTheStartNamingTheSetting() throws Exception {
        String password = TestKeys.issued("pgpw-" + TestKeys.token());
        int closed = FreePorts.allocate();
        IllegalStateException unreachable = assertThrows(IllegalStateException.class, () -> RelayServer.start(
                TestRelayConfig.with("RELAY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/relay?password=" + password,
                        "RELAY_DATABASE_USER", "relay"), new StaticStreamCatalog(List.of())).close());
        assertTrue(unreachable.getMessage().startsWith("RELAY_DATABASE_URL: cannot connect to the database at postgresql://127.0.0.1:"
                + closed + "/relay"), unreachable.getMessage());
        assertFalse(unreachable.getMessage().contains(password), unreachable.getMessage());

        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> RelayServer.start(
                TestRelayConfig.with("RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                        "RELAY_DATABASE_PASSWORD", password), new StaticStreamCatalog(List.of())).close());
        assertTrue(refused.getMessage().startsWith("RELAY_DATABASE_URL: cannot connect to the database at "), refused.getMessage());
        assertTrue(refused.getMessage().contains("password authentication failed"), refused.getMessage());
        assertFalse(refused.getMessage().contains(password), refused.getMessage());

        // The data directory is free again: a corrected setting may start at once.
        Map<String, String> env = TestRelayConfig.env("RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", TestKeys.encryptionKeyHex());
        RelayServer.start(RelayConfig.fromEnvironment(env), new StaticStreamCatalog(List.of())).close();
    }
}
