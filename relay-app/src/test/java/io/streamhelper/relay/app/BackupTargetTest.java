package io.streamhelper.relay.app;

import static io.streamhelper.relay.app.MaintenanceRun.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where {@code backup <dir>} may write: never over the data directory it copies, nor over the
 * directory of the operator's keyset file, however the path is spelt (relative, with "..", a
 * symlink). {@code --overwrite} deletes the backup's own file names in the target first, and in
 * those directories those names are the live database and the key to its stream keys.
 * In-process ({@link MaintenanceCommand#run}): what is tested is which paths are refused.
 */
class BackupTargetTest {

    @Test
    void backupOverwriteIntoTheDataDirectoryIsRefusedAndDeletesNothing() throws Exception {
        Map<String, String> env = TestRelayConfig.env();
        Path dataDir = Path.of(env.get("RELAY_DATA_DIR")).toAbsolutePath();
        try (RelayServer relay = RelayServer.start(RelayConfig.fromEnvironment(env), new StaticStreamCatalog(List.of()))) {
            // a database and a generated keyset in the data directory
        }
        String db = sha256(dataDir.resolve("relay.db"));
        String keyset = sha256(dataDir.resolve("secrets.keyset.json"));
        Path link = Files.createSymbolicLink(dataDir.resolveSibling(dataDir.getFileName() + "-link"), dataDir);

        for (Path spelling : List.of(dataDir, dataDir.resolve("sub").resolve(".."), link,
                Path.of("").toAbsolutePath().relativize(dataDir))) {
            MaintenanceRun run = MaintenanceRun.run(env, "backup", spelling.toString(), "--overwrite");
            assertEquals(MaintenanceCommand.FAILED, run.exitCode(), spelling + ": " + run.out() + run.err());
            assertTrue(run.err().contains("is the data directory"), spelling + ": " + run.err());
            assertEquals(db, sha256(dataDir.resolve("relay.db")), spelling + ": the live database is untouched");
            assertEquals(keyset, sha256(dataDir.resolve("secrets.keyset.json")), spelling + ": the keyset is untouched");
            assertFalse(Files.exists(dataDir.resolve("manifest.json")));
        }
    }

    @Test
    void backupOverwriteIntoTheKeysetFilesDirectoryIsRefused() throws Exception {
        Map<String, String> plain = TestRelayConfig.env();
        Path dataDir = Path.of(plain.get("RELAY_DATA_DIR")).toAbsolutePath();
        try (RelayServer relay = RelayServer.start(RelayConfig.fromEnvironment(plain), new StaticStreamCatalog(List.of()))) {
            // a database sealed with the generated keyset
        }
        // The operator keeps the keyset elsewhere, under the name a backup gives its copy.
        Path keysDir = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-keys"));
        Path keysetFile = Files.move(dataDir.resolve("secrets.keyset.json"), keysDir.resolve("secrets.keyset.json"));
        Map<String, String> env = new java.util.HashMap<>(plain);
        env.put("RELAY_KEYSET_FILE", keysetFile.toString());
        String keyset = sha256(keysetFile);

        MaintenanceRun run = MaintenanceRun.run(env, "backup", keysDir.toString(), "--overwrite");
        assertEquals(MaintenanceCommand.FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("RELAY_KEYSET_FILE"), run.err());
        assertTrue(Files.exists(keysetFile), "the operator's keyset file is still there");
        assertEquals(keyset, sha256(keysetFile));
    }
}
