package io.streamhelper.relay.app;

import static io.streamhelper.relay.app.MaintenanceRun.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code restore <dir>} refuses before it changes anything, beyond damaged files (that is
 * BackupRestoreTest's): a backup whose database a newer relay migrated, which this one would
 * start on without knowing its schema, or whose manifest names another schema than its database
 * holds. In-process ({@link MaintenanceCommand#run}), the server
 * stopped, as restore needs.
 */
class RestoreChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBackupOfANewerRelaysSchemaIsRefusedAndNothingChanges() throws Exception {
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = Path.of(env.get("RELAY_DATA_DIR")).toAbsolutePath();
        try (RelayServer relay = RelayServer.start(RelayConfig.fromEnvironment(env), new StaticStreamCatalog(List.of()))) {
            // a database, migrated to this relay's schema
        }
        Path backup = dataDir.resolveSibling(dataDir.getFileName() + "-backup");
        MaintenanceRun made = MaintenanceRun.run(env, "backup", backup.toString());
        assertEquals(MaintenanceCommand.DONE, made.exitCode(), made.err());

        // As a relay with one more migration would have left it; its manifest says so consistently.
        String ours = Database.SCHEMA_VERSION;
        String future = String.valueOf(Long.parseLong(ours) + 1);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + backup.resolve("relay.db"));
                Statement sql = db.createStatement()) {
            sql.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, installed_on, execution_time, success) VALUES (" + future + ", '" + future
                    + "', 'from the future', 'SQL', 'V" + future + "__from_the_future.sql', 0, 'test', '2030-01-01 00:00:00', 1, 1)");
        }
        ObjectNode manifest = (ObjectNode) JSON.readTree(backup.resolve("manifest.json").toFile());
        manifest.put("schemaVersion", future);
        ((ObjectNode) manifest.get("files")).put("relay.db", sha256(backup.resolve("relay.db")));
        JSON.writeValue(backup.resolve("manifest.json").toFile(), manifest);
        String before = sha256(dataDir.resolve("relay.db"));

        MaintenanceRun refused = MaintenanceRun.run(env, "restore", backup.toString());
        assertEquals(MaintenanceCommand.FAILED, refused.exitCode(), refused.out() + refused.err());
        assertTrue(refused.err().contains("schema version " + future) && refused.err().contains("newer"), refused.err());
        assertEquals(before, sha256(dataDir.resolve("relay.db")), "the data directory's database is untouched");
        try (Stream<Path> files = Files.list(dataDir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("pre-restore-")
                    || f.getFileName().toString().endsWith(".restoring")), "nothing moved or staged");
        }

        // The manifest edited to claim this relay's schema: its own database says otherwise.
        manifest.put("schemaVersion", ours);
        JSON.writeValue(backup.resolve("manifest.json").toFile(), manifest);
        MaintenanceRun lied = MaintenanceRun.run(env, "restore", backup.toString());
        assertEquals(MaintenanceCommand.FAILED, lied.exitCode(), lied.out() + lied.err());
        assertTrue(lied.err().contains("says " + ours), lied.err());
        assertEquals(before, sha256(dataDir.resolve("relay.db")));
    }

    @Test
    void relativePathsWithSpacesWorkAndWhatIsNoBackupDirectoryIsNamedSo() throws Exception {
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = Path.of(env.get("RELAY_DATA_DIR")).toAbsolutePath();
        try (RelayServer relay = RelayServer.start(RelayConfig.fromEnvironment(env), new StaticStreamCatalog(List.of()))) {
            // a database
        }
        String before = sha256(dataDir.resolve("relay.db"));
        Path relative = Path.of("").toAbsolutePath().relativize(dataDir.resolveSibling(dataDir.getFileName() + " my backups"))
                .resolve("night 1");
        MaintenanceRun made = MaintenanceRun.run(env, "backup", relative.toString());
        assertEquals(MaintenanceCommand.DONE, made.exitCode(), made.err());

        Path file = Files.writeString(dataDir.resolveSibling(dataDir.getFileName() + "-a-file"), "not a backup");
        MaintenanceRun ofFile = MaintenanceRun.run(env, "restore", file.toString());
        assertEquals(MaintenanceCommand.FAILED, ofFile.exitCode(), ofFile.out() + ofFile.err());
        assertTrue(ofFile.err().contains("is not a directory"), ofFile.err());
        MaintenanceRun ofNothing = MaintenanceRun.run(env, "restore", relative.resolveSibling("night 2").toString());
        assertEquals(MaintenanceCommand.FAILED, ofNothing.exitCode(), ofNothing.out() + ofNothing.err());
        assertTrue(ofNothing.err().contains("does not exist"), ofNothing.err());

        // A copy cut short, its hash updated to match: integrity_check (or SQLite itself) refuses it.
        Path cut = Files.createDirectories(relative.resolveSibling("cut"));
        Files.copy(relative.resolve("manifest.json"), cut.resolve("manifest.json"));
        byte[] db = Files.readAllBytes(relative.resolve("relay.db"));
        Files.write(cut.resolve("relay.db"), java.util.Arrays.copyOf(db, db.length / 2));
        Files.copy(relative.resolve("secrets.keyset.json"), cut.resolve("secrets.keyset.json"));
        ObjectNode manifest = (ObjectNode) JSON.readTree(cut.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("files")).put("relay.db", sha256(cut.resolve("relay.db")));
        JSON.writeValue(cut.resolve("manifest.json").toFile(), manifest);
        MaintenanceRun ofCut = MaintenanceRun.run(env, "restore", cut.toString());
        assertEquals(MaintenanceCommand.FAILED, ofCut.exitCode(), ofCut.out() + ofCut.err());
        assertEquals(before, sha256(dataDir.resolve("relay.db")), "nothing restored so far");

        MaintenanceRun restored = MaintenanceRun.run(env, "restore", relative.toString());
        assertEquals(MaintenanceCommand.DONE, restored.exitCode(), restored.out() + restored.err());
    }
}
