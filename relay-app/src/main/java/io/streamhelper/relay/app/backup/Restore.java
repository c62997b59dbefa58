package io.streamhelper.relay.app.backup;

import io.streamhelper.relay.app.RelayConfig;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.jdbi.SealedKeys;
import io.streamhelper.relay.engine.secret.Secret;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code restore <dir>}: puts a backup in place of the data directory's database, with the server
 * stopped. Nothing in the data directory changes until the backup passed every check (manifest
 * hashes, integrity, a schema this relay knows, a key that fits); then the files in the way are moved into
 * {@code pre-restore-<time>/}, never deleted, and the backup's copies renamed into place. The
 * schema is not touched: the next start migrates it as any start does.
 */
public final class Restore {
    static final String ASIDE_PREFIX = "pre-restore-";
    private static final DateTimeFormatter ASIDE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final RelayConfig config;
    private final Clock clock;
    private final PrintStream out;

    public Restore(RelayConfig config, Clock clock, PrintStream out) {
        this.config = config;
        this.clock = clock;
        this.out = out;
    }

    public void from(Path backup) throws BackupException {
        Backup.refuseUnlessSqlite(config, "restore");
        Path dataDir = config.dataDir();
        try {
            BackupManifest manifest = checkedManifest(backup);
            boolean withKeyset = checkKeyFits(manifest, backup);
            checkKeyOpens(manifest, backup);
            try (DataDirLock lock = DataDirLock.tryAcquire(dataDir).orElseThrow(() -> new BackupException(
                    "a relay server is using " + dataDir + " (" + DataDirLock.FILE_NAME + " is locked): stop it first"))) {
                // The copies first, checked, so that a full disk leaves the current database where it is.
                Path newDb = stage(backup.resolve(Backup.DATABASE), dataDir.resolve(Backup.DATABASE + ".restoring"),
                        manifest.files().get(Backup.DATABASE));
                Path newKeyset = withKeyset ? stage(backup.resolve(Backup.KEYSET), dataDir.resolve(Backup.KEYSET + ".restoring"),
                        manifest.files().get(Backup.KEYSET)) : null;
                List<String> inTheWay = new ArrayList<>(List.of(Backup.DATABASE, Backup.DATABASE + "-wal",
                        Backup.DATABASE + "-shm", Backup.DATABASE + "-journal"));
                if (withKeyset) {
                    inTheWay.add(Backup.KEYSET);
                }
                Optional<Path> aside = moveAside(dataDir, inTheWay);
                BackupFiles.publish(newDb, dataDir.resolve(Backup.DATABASE));
                if (newKeyset != null) {
                    BackupFiles.publish(newKeyset, dataDir.resolve(Backup.KEYSET));
                }
                BackupFiles.syncDirectory(dataDir);
                out.println("streamhelper-relay: restored the backup of " + manifest.createdAt() + " (schema version "
                        + manifest.schemaVersion() + ", " + manifest.tables() + ") into " + dataDir
                        + aside.map(dir -> "; what was there is in " + dir).orElse(""));
                if (manifest.keyMode() == KeyMode.ENCRYPTION_KEY) {
                    out.println("streamhelper-relay: its stream keys open only with the ENCRYPTION_KEY the server had when"
                            + " the backup was taken: start the server with that key.");
                }
            }
        } catch (SQLException e) {
            throw new BackupException("SQLite cannot read the backup's database: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackupException("cannot restore " + backup + " into " + dataDir + ": " + e, e);
        }
    }

    /** The manifest, once every file it lists has its hash and the database passes integrity_check. */
    private static BackupManifest checkedManifest(Path backup) throws IOException, SQLException, BackupException {
        // Said first and plainly: reading manifest.json below a file or a typo gives only "FileSystemException".
        if (!Files.exists(backup)) {
            throw new BackupException(backup + " does not exist");
        }
        if (!Files.isDirectory(backup)) {
            throw new BackupException(backup + " is not a directory: restore takes the directory backup wrote");
        }
        BackupManifest manifest;
        try {
            manifest = BackupManifest.fromJson(Files.readAllBytes(backup.resolve(BackupManifest.FILE_NAME)));
        } catch (NoSuchFileException e) {
            throw new BackupException(backup + " holds no " + BackupManifest.FILE_NAME + ": not a (complete) backup");
        } catch (IOException e) {
            throw new BackupException(backup.resolve(BackupManifest.FILE_NAME) + " is not a backup manifest: "
                    + e.getClass().getSimpleName());
        }
        if (manifest.format() != BackupManifest.FORMAT) {
            throw new BackupException("backup format " + manifest.format() + " is not one this relay reads ("
                    + BackupManifest.FORMAT + ")");
        }
        if (manifest.files() == null || !manifest.files().containsKey(Backup.DATABASE) || manifest.keyMode() == null) {
            throw new BackupException(BackupManifest.FILE_NAME + " lists no " + Backup.DATABASE + " or no key mode");
        }
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            if (!List.of(Backup.DATABASE, Backup.KEYSET).contains(file.getKey())) {
                throw new BackupException(BackupManifest.FILE_NAME + " lists an unknown file '" + file.getKey() + "'");
            }
            Path path = backup.resolve(file.getKey());
            if (!Files.isRegularFile(path)) {
                throw new BackupException(path + " is missing");
            }
            if (!BackupFiles.sha256(path).equals(file.getValue())) {
                throw new BackupException(path + " does not match the sha256 in " + BackupManifest.FILE_NAME
                        + ": changed or damaged since the backup; not restored");
            }
        }
        List<String> problems = SqliteCopy.integrityProblems(backup.resolve(Backup.DATABASE));
        if (!problems.isEmpty()) {
            throw new BackupException("the backup's database fails PRAGMA integrity_check: " + String.join("; ", problems));
        }
        checkSchemaVersion(manifest, SqliteCopy.schemaVersion(backup.resolve(Backup.DATABASE)));
        return manifest;
    }

    /**
     * The database's own migration history, not the manifest's word: a schema past this relay's
     * is refused (Flyway would start on it, ignoring the migrations it does not know), and a
     * manifest that disagrees with its database was not written by backup.
     */
    private static void checkSchemaVersion(BackupManifest manifest, String inDatabase) throws BackupException {
        if (!inDatabase.equals(manifest.schemaVersion())) {
            throw new BackupException("the backup's database is at schema version " + inDatabase + " but "
                    + BackupManifest.FILE_NAME + " says " + manifest.schemaVersion() + ": changed since the backup; not restored");
        }
        if (compareVersions(inDatabase, Database.SCHEMA_VERSION) > 0) {
            throw new BackupException("the backup's database is at schema version " + inDatabase + ", newer than this relay's ("
                    + Database.SCHEMA_VERSION + "): restore it with the relay version that made it, or a newer one");
        }
    }

    /** Flyway versions, "3" or "3.1": compared part by part as numbers; a part that is not a number sorts as newer. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? part(x[i]) : 0;
            long q = i < y.length ? part(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static long part(String part) {
        return part.matches("[0-9]{1,18}") ? Long.parseLong(part) : Long.MAX_VALUE;
    }

    /**
     * Whether the backup's keyset goes into the data directory. Refuses a combination whose
     * server could not read the restored stream keys.
     */
    private boolean checkKeyFits(BackupManifest manifest, Path backup) throws IOException, BackupException {
        KeyMode now = KeyMode.of(config);
        boolean hasKeyset = manifest.files().containsKey(Backup.KEYSET);
        if (manifest.keyMode() != now) {
            throw new BackupException("the backup's stream keys were sealed with " + describe(manifest.keyMode())
                    + ", but this server is set up with " + describe(now) + ": set up the server as it was (docs/backup.md)");
        }
        if (now == KeyMode.ENCRYPTION_KEY) {
            return false;
        }
        if (!hasKeyset) {
            throw new BackupException("the backup holds no " + Backup.KEYSET + ", yet its key mode needs one");
        }
        if (now == KeyMode.KEYSET_FILE) {
            // The operator's file, maybe a read-only mount: compared, never written.
            Path configured = config.keysetFile().orElseThrow();
            if (!BackupFiles.sha256(configured).equals(manifest.files().get(Backup.KEYSET))) {
                throw new BackupException("RELAY_KEYSET_FILE (" + configured + ") is not the keyset of the backup:"
                        + " put the backup's " + Backup.KEYSET + " there, then restore again");
            }
            return false;
        }
        return true;
    }

    /**
     * Tries the key the restored server will have on the backup's own sealed values: the key
     * check, one stream key, one destination key. Same mode and same keyset file are not enough:
     * with ENCRYPTION_KEY only this tells the backup's key from another one.
     */
    private void checkKeyOpens(BackupManifest manifest, Path backup) throws SQLException, BackupException {
        SqliteCopy.SealedSamples samples = SqliteCopy.sealedSamples(backup.resolve(Backup.DATABASE));
        if (samples.isEmpty()) {
            return; // nothing sealed yet: any key will do
        }
        SecretBox box;
        try {
            box = switch (manifest.keyMode()) {
                case ENCRYPTION_KEY -> SecretBox.fromHexKeys(config.encryptionKey().orElseThrow().reveal(),
                        config.encryptionKeyPrevious().map(Secret::reveal));
                case KEYSET_FILE -> SecretBox.fromKeysetFile(config.keysetFile().orElseThrow());
                case DATA_DIR_KEYSET -> SecretBox.fromKeysetFile(backup.resolve(Backup.KEYSET));
            };
        } catch (RuntimeException e) {
            throw new BackupException("cannot load the key to check the backup with: " + e.getMessage());
        }
        boolean opens = samples.keyCheck().map(c -> SealedKeys.opensKeyCheck(box, c)).orElse(true)
                && samples.stream().map(v -> SealedKeys.opensStreamKey(box, v.ciphertext(), v.id(), v.ownerId())).orElse(true)
                && samples.destination().map(v -> SealedKeys.opensDestinationKey(box, v.ciphertext(), v.id(), v.ownerId()))
                        .orElse(true);
        if (!opens) {
            throw new BackupException(switch (manifest.keyMode()) {
                case ENCRYPTION_KEY -> "this ENCRYPTION_KEY does not open the backup: its stream keys were sealed with"
                        + " the key the server had when the backup was taken; set that key and restore again";
                case KEYSET_FILE -> "RELAY_KEYSET_FILE does not open the backup's stream keys";
                case DATA_DIR_KEYSET -> "the backup's " + Backup.KEYSET + " does not open its stream keys: not the"
                        + " keyset the backup was taken with";
            } + " (nothing was changed)");
        }
    }

    private static String describe(KeyMode mode) {
        return switch (mode) {
            case ENCRYPTION_KEY -> "ENCRYPTION_KEY";
            case KEYSET_FILE -> "RELAY_KEYSET_FILE";
            case DATA_DIR_KEYSET -> "the keyset generated in the data directory (neither ENCRYPTION_KEY nor RELAY_KEYSET_FILE)";
        };
    }

    /** Copies a backup file next to its destination and checks the copy's hash. */
    private static Path stage(Path source, Path staged, String sha256) throws IOException, BackupException {
        Files.deleteIfExists(staged); // an interrupted restore's, made from a backup
        BackupFiles.copyOwnerOnly(source, staged);
        if (!BackupFiles.sha256(staged).equals(sha256)) {
            Files.delete(staged);
            throw new BackupException("the copy of " + source + " in the data directory does not match its sha256");
        }
        return staged;
    }

    /** Moves what is there into a new {@code pre-restore-<time>} directory; empty when nothing was there. */
    private Optional<Path> moveAside(Path dataDir, List<String> names) throws IOException {
        List<Path> present = names.stream().map(dataDir::resolve).filter(Files::exists).toList();
        if (present.isEmpty()) {
            return Optional.empty();
        }
        String stamp = ASIDE_TIME.format(clock.instant());
        Path aside = dataDir.resolve(ASIDE_PREFIX + stamp);
        for (int n = 2; Files.exists(aside); n++) {
            aside = dataDir.resolve(ASIDE_PREFIX + stamp + "-" + n);
        }
        BackupFiles.ownerOnlyDirectory(aside);
        for (Path file : present) {
            BackupFiles.publish(file, aside.resolve(file.getFileName()));
        }
        return Optional.of(aside);
    }
}
