package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A server killed mid-stream leaves its stream marked live; the next start puts that right, on SQLite and PostgreSQL. */
class StartupRecoveryTest {

    @Test
    void aStreamLeftLiveByACrashIsNotLiveAfterRestart() throws Exception {
        Path dataDir = TestRelayConfig.freshDataDir();
        recoversAfterACrash(DatabaseSettings.sqlite(dataDir), SecretBox.loadOrCreate(dataDir), "RELAY_DATA_DIR", dataDir.toString());
    }

    @Test
    void aStreamLeftLiveByACrashIsNotLiveAfterRestartOnPostgresql() throws Exception {
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        String key = TestKeys.encryptionKeyHex();
        recoversAfterACrash(DatabaseSettings.postgresql(db.jdbcUrl(), db.user(), db.password()),
                SecretBox.fromHexKeys(key, Optional.empty()),
                "RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(), "RELAY_DATABASE_PASSWORD", db.password(),
                "ENCRYPTION_KEY", key);
    }

    private static void recoversAfterACrash(DatabaseSettings settings, SecretBox box, String... serverSettings) throws Exception {
        long streamId;
        long sessionId;
        try (Database database = Database.open(settings, box)) {
            long owner = database.users().register("crash@example.com", "not-a-real-hash").id();
            streamId = database.streams().create(owner, "Crashed", Secret.of(TestKeys.ingest())).id();
            database.streams().setLive(streamId, true); // what a server killed mid-stream leaves behind
            sessionId = database.streamSessions().open(streamId, java.time.Instant.now().minusSeconds(600)); // and its session
        }
        try (RelayServer relay = RelayServer.start(TestRelayConfig.with(serverSettings), new StaticStreamCatalog(List.of()))) {
            assertFalse(relay.database().streams().findById(streamId).orElseThrow().live());
            var session = relay.database().streamSessions().find(streamId, sessionId).orElseThrow();
            assertFalse(session.isLive(), "the session it left open is closed");
            org.junit.jupiter.api.Assertions.assertEquals("interrupted", session.endReason());
        }
    }
}
