package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.store.AuditLog;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.catalog.store.DestinationChange;
import io.streamhelper.relay.catalog.store.Role;
import io.streamhelper.relay.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class JdbiDatabaseTest extends StoreTest {
    private static final Instant NOW = Instant.parse("2026-04-05T06:07:08Z");

    private final ManualClock clock = new ManualClock(NOW);

    /** These tests are about migrating an empty database and what opening one does. */
    @Override
    protected boolean freshDatabasePerTest() {
        return true;
    }

    @Test
    void migratesAnEmptyDatabaseAndKeepsDataAcrossARestart() throws Exception {
        long streamId;
        try (Database database = store().open(clock)) {
            assertTrue(database.isReachable());
            long ada = database.users().register("ada@example.com", "hash").id();
            streamId = database.streams().create(ada, "Main", Secret.of("restart-key")).id();
            database.destinations().create(streamId, ada, "twitch", true, "rtmp://t/app", Secret.of("tw-key"), "T");
        }

        try (Database reopened = store().open(clock)) {
            assertEquals(Role.ADMIN, reopened.users().findByEmail("ada@example.com").orElseThrow().role());
            assertEquals(streamId, reopened.streams().findByKey("restart-key").orElseThrow().id());
            assertEquals(Secret.of("tw-key"), reopened.destinations().listByStream(streamId).get(0).streamKey());
            assertEquals(Role.USER, reopened.users().register("bob@example.com", "hash").role());
        }
        assertEquals(migrationFiles(), appliedMigrations(), "each migration once: the second start applied nothing again");
    }

    @Test
    void foreignKeysAreEnforcedAndSqliteRunsInWalMode() throws Exception {
        try (Database database = store().open(clock)) {
            if (backend() == StoreBackend.SQLITE) {
                try (Connection raw = store().raw(); Statement sql = raw.createStatement();
                     ResultSet mode = sql.executeQuery("PRAGMA journal_mode")) {
                    mode.next();
                    assertEquals("wal", mode.getString(1));
                }
            }
            // A stream for an account that does not exist is refused by the foreign key.
            assertThrowsStore(() -> database.streams().create(4242, "orphan", Secret.of("orphan-key")));
            assertTrue(database.streams().listAll().isEmpty());
        }
    }

    @Test
    void isReachableIsFalseOnceClosed() {
        Database database = store().open(clock);
        assertTrue(database.isReachable());

        database.close();

        assertFalse(database.isReachable());
    }

    @Test
    void noKeyIsStoredInPlaintext() throws Exception {
        List<String> keys = List.of("INGEST-first-3f9a7c", "INGEST-rotated-81bd2e", "DEST-first-5e0c44",
                "DEST-updated-a7d913", "DEST-second-c2f870");
        try (Database database = store().open(clock)) {
            long ada = database.users().register("ada@example.com", "hash").id();
            long stream = database.streams().create(ada, "Main", Secret.of(keys.get(0))).id();
            database.streams().rotateKey(stream, Secret.of(keys.get(1)));
            long dest = database.destinations().create(stream, ada, "twitch", true, "rtmp://t/app",
                    Secret.of(keys.get(2)), "T").id();
            database.destinations().update(dest, new DestinationChange(
                    Optional.empty(), Optional.of(Secret.of(keys.get(3))), Optional.empty(), Optional.empty()));
            database.destinations().create(stream, ada, "kick", true, "rtmp://k/app", Secret.of(keys.get(4)), "K");

            // While open, SQLite's newest pages live in the WAL file: check it as it is now too.
            assertNoKeyIn(store().storedBytes(dataDir), keys);
            assertEquals(keys.get(1), database.streams().findById(stream).orElseThrow().key().reveal());
        }
        byte[] afterClose = store().storedBytes(dataDir);
        assertTrue(afterClose.length > 0);
        assertNoKeyIn(afterClose, keys);
    }

    @Test
    void auditLogKeepsNewestFirst() {
        try (Database database = store().open(clock)) {
            AuditLog audit = database.audit();
            audit.record(1, "create", "stream", 10, "name=Main");
            clock.advance(Duration.ofMillis(1));
            audit.record(1, "rotate-key", "stream", 10, null);
            clock.advance(Duration.ofMillis(1));
            audit.record(2, "delete", "destination", 11, "platform=kick");

            assertEquals(List.of(
                    new AuditLog.Entry(2, "delete", "destination", 11, "platform=kick", NOW.plusMillis(2)),
                    new AuditLog.Entry(1, "rotate-key", "stream", 10, null, NOW.plusMillis(1))),
                    audit.recent(2));
            assertEquals(3, audit.recent(50).size());
        }
    }

    @Test
    void settingsNeverPrintThePassword() {
        DatabaseSettings settings = new DatabaseSettings("jdbc:postgresql://db/relay", "relay", "pg-pass-123", 10);

        assertFalse(settings.toString().contains("pg-pass-123"));
        assertTrue(DatabaseSettings.sqlite(dataDir.resolve("d")).jdbcUrl().endsWith("relay.db"));
        assertTrue(Files.isDirectory(dataDir.resolve("d")));
    }

    private static void assertThrowsStore(org.junit.jupiter.api.function.Executable executable) {
        org.junit.jupiter.api.Assertions.assertThrows(io.streamhelper.relay.catalog.store.StoreException.class, executable);
    }

    /** The versions of the migrations on the classpath, in order: V4__ and later count without editing this test. */
    private static List<String> migrationFiles() throws Exception {
        Path folder = Path.of(Database.class.getResource("/db/migration").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.matches("V\\d+__.*\\.sql"))
                    .map(name -> name.substring(1, name.indexOf("__")))
                    .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                    .toList();
        }
    }

    private List<String> appliedMigrations() throws Exception {
        List<String> versions = new ArrayList<>();
        // "WHERE success": a boolean on PostgreSQL, 0/1 on SQLite; both read it as a condition.
        try (Connection raw = store().raw(); Statement sql = raw.createStatement();
             ResultSet rows = sql.executeQuery(
                     "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
            while (rows.next()) {
                versions.add(rows.getString(1));
            }
        }
        return versions;
    }

    private static void assertNoKeyIn(byte[] haystack, List<String> keys) {
        for (String key : keys) {
            byte[] needle = key.getBytes(StandardCharsets.UTF_8);
            assertFalse(contains(haystack, needle), "a key was found in plaintext in the database files");
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
