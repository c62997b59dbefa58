package io.streamhelper.relay.app;

import static io.streamhelper.relay.app.MaintenanceRun.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * backup and restore as commands next to a running server (each a child JVM, as an operator runs
 * them): the WAL rows a file copy misses, the refusals, and what the manifest says.
 */
class BackupRestoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void backupHoldsTheRowsStillInTheWalThatAFileCopyMisses() throws Exception {
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = dataDir(env);
        Path backup = backupDir(env);
        try (RelayServer relay = startRelay(env)) {
            long streamId = fiveDestinations(new RelayHttp(relay.httpPort()));

            // The naive backup: the committed rows are still in relay.db-wal, so the copy lacks them.
            Path naive = Files.copy(dataDir.resolve("relay.db"), dataDir.resolveSibling(dataDir.getFileName() + "-naive.db"));
            assertTrue(Files.size(dataDir.resolve("relay.db-wal")) > 0, "the server has un-checkpointed writes");
            assertTrue(rowsOrNone(naive, "stream_destinations") < 5, "a file copy misses rows (this test's premise)");

            JarCommand.Result result = JarCommand.run(env, "backup", backup.toString());
            assertEquals(0, result.exitCode(), result.output());
            assertEquals(5, count(backup.resolve("relay.db"), "stream_destinations"), "every committed destination");
            assertEquals(1, count(backup.resolve("relay.db"), "streams"));
            JsonNode manifest = JSON.readTree(backup.resolve("manifest.json").toFile());
            assertEquals(5, manifest.get("tables").get("stream_destinations").asLong(), manifest.toString());
            assertEquals("6", manifest.get("schemaVersion").asText(), "the latest migration, V6__cluster");
            assertEquals("data-dir-keyset", manifest.get("keyMode").asText());
            assertEquals(Files.readString(backup.resolve("secrets.keyset.json")), Files.readString(dataDir.resolve("secrets.keyset.json")));
            assertEquals(sha256(backup.resolve("relay.db")), manifest.get("files").get("relay.db").asText());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.resolve("secrets.keyset.json"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.resolve("relay.db"))));
            try (Stream<Path> files = Files.list(backup)) {
                assertEquals(List.of("manifest.json", "relay.db", "secrets.keyset.json"),
                        files.map(f -> f.getFileName().toString()).sorted().toList(), "no -wal, -shm or partial file");
            }
            assertTrue(relay.database().streams().findById(streamId).isPresent(), "the server still serves");

            JarCommand.Result again = JarCommand.run(env, "backup", backup.toString());
            assertEquals(1, again.exitCode(), again.output());
            assertTrue(again.stderr().contains("--overwrite"), again.stderr());
            assertEquals(0, JarCommand.run(env, "backup", backup.toString(), "--overwrite").exitCode());
        }
    }

    /**
     * Owner-only from the first moment, not narrowed after: the backup runs under strace, and
     * every file or directory it creates under the backup directory is created with no group or
     * other bit, and none is chmod-ed later (which would mean it existed with another mode first).
     */
    @Test
    void backupCreatesEveryFileOwnerOnlyAndNeverWiderForAMoment() throws Exception {
        Tools.require("strace");
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = dataDir(env);
        Path backup = backupDir(env);
        Path trace = dataDir.resolveSibling(dataDir.getFileName() + "-backup.strace");
        try (RelayServer relay = startRelay(env)) {
            fiveDestinations(new RelayHttp(relay.httpPort()));
            JarCommand.Result result = JarCommand.runUnder(List.of("strace", "-f", "-qq", "-o", trace.toString(),
                    "-e", "trace=open,openat,creat,mkdir,mkdirat,chmod,fchmodat,fchmod"), env, "backup", backup.toString());
            assertEquals(0, result.exitCode(), result.output());
        }

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        try (Stream<Path> files = Files.list(backup)) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
            }
        }

        java.util.function.Predicate<String> inBackup = path -> path.equals(backup.toString())
                || path.startsWith(backup + "/");
        Pattern open = Pattern.compile("(?:open|openat)\\((?:AT_FDCWD, )?\"([^\"]+)\", ([A-Z_|]+), (0[0-7]+)");
        Pattern mkdir = Pattern.compile("(?:mkdir|mkdirat)\\((?:AT_FDCWD, )?\"([^\"]+)\", (0[0-7]+)");
        Pattern chmod = Pattern.compile("(?:chmod|fchmodat)\\((?:AT_FDCWD, )?\"([^\"]+)\"");
        java.util.Set<String> created = new java.util.HashSet<>();
        List<String> wider = new java.util.ArrayList<>();
        List<String> lines = Files.readAllLines(trace);
        for (String line : lines) {
            Matcher o = open.matcher(line);
            // The first O_CREAT open of a name is the one that creates it; later ones (SQLite
            // opening the file Backup made) cannot change its mode.
            if (o.find() && inBackup.test(o.group(1)) && o.group(2).contains("O_CREAT") && created.add(o.group(1))
                    && (Integer.parseInt(o.group(3), 8) & 0077) != 0) {
                wider.add(line);
            }
            Matcher m = mkdir.matcher(line);
            if (m.find() && inBackup.test(m.group(1)) && (Integer.parseInt(m.group(2), 8) & 0077) != 0) {
                wider.add(line);
            }
            Matcher c = chmod.matcher(line);
            if (c.find() && inBackup.test(c.group(1))) {
                wider.add(line);
            }
        }
        assertTrue(created.contains(backup.resolve("relay.db.partial").toString()), "the trace saw the copy: " + created);
        assertTrue(created.contains(backup.resolve("manifest.json.partial").toString()), created.toString());
        assertEquals(List.of(), wider, "created wider than 0600/0700, or narrowed after creation");
    }

    @Test
    void restoreRefusesWhileAServerHoldsTheDataDirectoryAndMovesTheOldDatabaseAsideAfter() throws Exception {
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = dataDir(env);
        Path backup = backupDir(env);
        try (RelayServer relay = startRelay(env)) {
            fiveDestinations(new RelayHttp(relay.httpPort()));
            assertEquals(0, JarCommand.run(env, "backup", backup.toString()).exitCode());
            IllegalStateException second = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> startRelay(env));
            assertTrue(second.getMessage().contains("in use by another relay process"), second.getMessage());

            // POSIX locks belong to the process: had the refused second start above closed a
            // channel on relay.lock, the first server's lock would be gone and this would go ahead.
            JarCommand.Result refused = JarCommand.run(env, "restore", backup.toString());
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.stderr().contains("a relay server is using"), refused.stderr());
            assertFalse(hasAside(dataDir), "nothing was moved");
            assertEquals(5, relay.database().destinations().listByStream(1).size(), "the server's data is untouched");
        }
        JarCommand.Result restored = JarCommand.run(env, "restore", backup.toString());
        assertEquals(0, restored.exitCode(), restored.output());
        assertTrue(hasAside(dataDir), "the old database was moved aside: " + restored.stdout());
        assertFalse(Files.exists(dataDir.resolve("relay.db-wal")), "no stale WAL next to the restored database");
        assertEquals(sha256(backup.resolve("relay.db")), sha256(dataDir.resolve("relay.db")));
    }

    @Test
    void restoreRefusesATamperedBackupAndLeavesTheDataDirectoryAlone() throws Exception {
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = dataDir(env);
        Path backup = backupOfFiveDestinations(env);
        String before = sha256(dataDir.resolve("relay.db"));
        // One byte of the copy changed, as a bad disk or a hand would.
        byte[] db = Files.readAllBytes(backup.resolve("relay.db"));
        db[db.length / 2] ^= 0x01;
        Files.write(backup.resolve("relay.db"), db, StandardOpenOption.TRUNCATE_EXISTING);

        JarCommand.Result refused = JarCommand.run(env, "restore", backup.toString());
        assertEquals(1, refused.exitCode(), refused.output());
        assertTrue(refused.stderr().contains("does not match the sha256"), refused.stderr());
        assertEquals(before, sha256(dataDir.resolve("relay.db")));
        assertFalse(hasAside(dataDir));

        Files.delete(backup.resolve("manifest.json"));
        JarCommand.Result noManifest = JarCommand.run(env, "restore", backup.toString());
        assertEquals(1, noManifest.exitCode());
        assertTrue(noManifest.stderr().contains("not a (complete) backup"), noManifest.stderr());
    }

    @Test
    void withEncryptionKeyTheBackupHoldsNoKeyAndSaysSo() throws Exception {
        String key = TestKeys.encryptionKeyHex();
        Map<String, String> env = TestRelayConfig.env("ENCRYPTION_KEY", key);
        Path dataDir = dataDir(env);
        Path backup = backupDir(env);
        try (RelayServer relay = startRelay(env)) {
            fiveDestinations(new RelayHttp(relay.httpPort()));
            JarCommand.Result result = JarCommand.run(env, "backup", backup.toString());
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(result.stdout().contains("the key is NOT in the backup"), result.stdout());
            assertFalse(result.output().contains(key));
        }
        assertFalse(Files.exists(backup.resolve("secrets.keyset.json")));
        String manifest = Files.readString(backup.resolve("manifest.json"));
        assertEquals("ENCRYPTION_KEY", JSON.readTree(manifest).get("keyMode").asText());
        assertFalse(manifest.toLowerCase().contains(key.toLowerCase()), "never the key");

        // Restored without the key, the stream keys could not be read: refused.
        Map<String, String> noKey = TestRelayConfig.env();
        JarCommand.Result refused = JarCommand.run(noKey, "restore", backup.toString());
        assertEquals(1, refused.exitCode(), refused.output());
        assertTrue(refused.stderr().contains("ENCRYPTION_KEY"), refused.stderr());
        assertEquals(0, JarCommand.run(TestRelayConfig.env("ENCRYPTION_KEY", key), "restore", backup.toString()).exitCode());
    }

    @Test
    void restoreWithAnotherEncryptionKeyIsRefusedBeforeAnythingChanges() throws Exception {
        String key = TestKeys.encryptionKeyHex();
        Map<String, String> env = TestRelayConfig.env("ENCRYPTION_KEY", key);
        Path dataDir = dataDir(env);
        Path backup = backupOfFiveDestinations(env);
        String before = sha256(dataDir.resolve("relay.db"));
        List<String> filesBefore = fileNames(dataDir);

        // The same key mode, another key: every stream key restored would be unreadable.
        String otherKey = TestKeys.encryptionKeyHex();
        Map<String, String> wrong = new java.util.HashMap<>(env);
        wrong.put("ENCRYPTION_KEY", otherKey);
        JarCommand.Result refused = JarCommand.run(wrong, "restore", backup.toString());
        assertEquals(1, refused.exitCode(), refused.output());
        assertTrue(refused.stderr().contains("this ENCRYPTION_KEY does not open the backup"), refused.stderr());
        assertFalse(refused.output().contains(otherKey) || refused.output().contains(key), "never a key");
        assertEquals(before, sha256(dataDir.resolve("relay.db")), "the data directory is untouched");
        assertEquals(filesBefore, fileNames(dataDir), "nothing moved aside, nothing staged");

        // The key of the backup opens it: restored, and the keys read.
        assertEquals(0, JarCommand.run(env, "restore", backup.toString()).exitCode());
        assertEveryDestinationKeyOpens(env);
    }

    @Test
    void withKeysetFileTheBackupCopiesItAndRestoreNeedsThatSameFile() throws Exception {
        Path keys = TestRelayConfig.freshDataDir();
        SecretBox.loadOrCreate(keys);
        Path keyset = keys.resolve("secrets.keyset.json");
        Map<String, String> env = TestRelayConfig.env("RELAY_KEYSET_FILE", keyset.toString());
        Path backup = backupOfFiveDestinations(env);
        assertEquals("RELAY_KEYSET_FILE", JSON.readTree(backup.resolve("manifest.json").toFile()).get("keyMode").asText());
        assertEquals(Files.readString(keyset), Files.readString(backup.resolve("secrets.keyset.json")));

        // Another keyset file than the backup's: its keys would not open.
        Path otherKeys = TestRelayConfig.freshDataDir();
        SecretBox.loadOrCreate(otherKeys);
        Map<String, String> wrong = TestRelayConfig.env("RELAY_KEYSET_FILE", otherKeys.resolve("secrets.keyset.json").toString());
        JarCommand.Result refused = JarCommand.run(wrong, "restore", backup.toString());
        assertEquals(1, refused.exitCode(), refused.output());
        assertTrue(refused.stderr().contains("is not the keyset of the backup"), refused.stderr());

        Map<String, String> fresh = TestRelayConfig.env("RELAY_KEYSET_FILE", keyset.toString());
        assertEquals(0, JarCommand.run(fresh, "restore", backup.toString()).exitCode());
        assertEveryDestinationKeyOpens(fresh);
    }

    @Test
    void withPostgresqlBackupAndRestoreRefuseAndPointToPgDump() throws Exception {
        String password = TestKeys.issued("pgpw-" + TestKeys.token());
        // Refused before any connection: the URL needs no server behind it.
        Map<String, String> env = TestRelayConfig.env("RELAY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/relay",
                "RELAY_DATABASE_USER", "relay", "RELAY_DATABASE_PASSWORD", password);
        Path dataDir = Path.of(env.get("RELAY_DATA_DIR"));
        for (String command : new String[] {"backup", "restore"}) {
            JarCommand.Result result = JarCommand.run(env, command, dataDir.resolveSibling(dataDir.getFileName() + "-backup").toString());
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.stderr().contains(command + " failed: the database is PostgreSQL (RELAY_DATABASE_URL,"
                    + " postgresql://127.0.0.1:1/relay) and " + command + " copies the embedded SQLite database only: use pg_dump"),
                    result.stderr());
            assertFalse(result.output().contains(password));
        }
        assertFalse(Files.exists(dataDir.resolve("relay.db")), "no SQLite database was made instead");
    }

    @Test
    void helpAndUnknownCommandsPrintTheUsageAndExitTwo() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"bakcup", "x"}, new String[] {"backup"},
                new String[] {"restore", "a", "b"})) {
            JarCommand.Result result = JarCommand.run(TestRelayConfig.env(), args);
            assertEquals(2, result.exitCode(), String.join(" ", args) + ": " + result.output());
            assertTrue(result.stderr().contains("usage: java -jar streamhelper-relay.jar [serve]"), result.stderr());
            assertEquals("", result.stdout());
        }
    }

    private static Path dataDir(Map<String, String> env) {
        return Path.of(env.get("RELAY_DATA_DIR"));
    }

    /** Where the tests write the backup of the server of {@code env}: beside its data directory. */
    private static Path backupDir(Map<String, String> env) {
        Path dataDir = dataDir(env);
        return dataDir.resolveSibling(dataDir.getFileName() + "-backup");
    }

    /** A server on {@code env} gets {@link #fiveDestinations}, is backed up by the command, and stopped. */
    private static Path backupOfFiveDestinations(Map<String, String> env) throws Exception {
        Path backup = backupDir(env);
        try (RelayServer relay = startRelay(env)) {
            fiveDestinations(new RelayHttp(relay.httpPort()));
            assertEquals(0, JarCommand.run(env, "backup", backup.toString()).exitCode());
        }
        return backup;
    }

    private static RelayServer startRelay(Map<String, String> env) throws InterruptedException {
        return RelayServer.start(RelayConfig.fromEnvironment(env), new StaticStreamCatalog(List.of()));
    }

    /** A server started on the restored data directory reads the five keys {@link #fiveDestinations} stored. */
    private static void assertEveryDestinationKeyOpens(Map<String, String> env) throws InterruptedException {
        try (RelayServer relay = startRelay(env)) {
            assertEquals(5, relay.database().destinations().listByStream(1).stream()
                    .filter(d -> d.streamKey().reveal().endsWith("-testonly")).count(), "every key opens");
        }
    }

    /** Signs up, one stream, five destinations: the five rows a file copy lost in issue 21. */
    private static long fiveDestinations(RelayHttp api) throws Exception {
        String token = api.signUpAndLogin("backup@example.com", "a long passphrase");
        long streamId = api.call("POST", "/api/v1/streams", "{\"name\":\"Backed up\"}", token, 201).get("id").asLong();
        for (int i = 0; i < 5; i++) {
            api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\","
                    + "\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"streamKey\":\"" + TestKeys.destination() + "\"}", token, 201);
        }
        return streamId;
    }

    private static List<String> fileNames(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean hasAside(Path dataDir) throws Exception {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("pre-restore-"));
        }
    }

    /** The rows, or 0 where the table itself is missing (its CREATE TABLE still in the WAL). */
    private static long rowsOrNone(Path database, String table) throws Exception {
        try {
            return count(database, table);
        } catch (java.sql.SQLException noSuchTable) {
            return 0;
        }
    }

    private static long count(Path database, String table) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
