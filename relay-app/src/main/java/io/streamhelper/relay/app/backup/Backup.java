package io.streamhelper.relay.app.backup;

import io.streamhelper.relay.app.RelayConfig;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code backup <dir>}: a verified copy of a server's data, taken while it runs. Every file is
 * written under a {@code .partial} name and renamed when complete, the manifest last: a directory
 * without {@code manifest.json} is not a backup, whatever else it holds.
 */
public final class Backup {
    static final String DATABASE = DatabaseSettings.SQLITE_FILE_NAME;
    static final String KEYSET = SecretBox.KEYSET_FILE_NAME;
    private static final List<String> OWN_FILES = List.of(BackupManifest.FILE_NAME, DATABASE, KEYSET);

    private final RelayConfig config;
    private final Clock clock;
    private final PrintStream out;

    public Backup(RelayConfig config, Clock clock, PrintStream out) {
        this.config = config;
        this.clock = clock;
        this.out = out;
    }

    /** Writes the backup into {@code target}; returns only once every check passed. */
    public void into(Path given, boolean overwrite) throws BackupException {
        refuseUnlessSqlite(config, "backup");
        // "new/.." would otherwise create new/ on the way to a directory that already exists.
        Path target = given.toAbsolutePath().normalize();
        Path database = config.dataDir().resolve(DATABASE);
        if (!Files.isRegularFile(database)) {
            throw new BackupException("no database at " + database + " (RELAY_DATA_DIR)");
        }
        KeyMode keyMode = KeyMode.of(config);
        try {
            refuseLiveDirectory(target);
            prepare(target, overwrite);
            Path partialDb = target.resolve(DATABASE + ".partial");
            Files.deleteIfExists(partialDb); // a crashed run's; nothing refers to it
            // Created empty and owner-only here, then filled: VACUUM INTO writes into an empty file
            // and keeps its mode (its journal takes the same), so the copy is never, not even
            // for a moment, readable with the umask's mode.
            BackupFiles.createOwnerOnly(partialDb);
            SqliteCopy.snapshot(database, partialDb);
            BackupFiles.sync(partialDb);
            List<String> problems = SqliteCopy.integrityProblems(partialDb);
            if (!problems.isEmpty()) {
                throw new BackupException("the copy failed PRAGMA integrity_check: " + String.join("; ", problems));
            }
            String schemaVersion = SqliteCopy.schemaVersion(partialDb);
            Map<String, Long> tables = SqliteCopy.rowCounts(partialDb);
            BackupFiles.publish(partialDb, target.resolve(DATABASE));

            Map<String, String> files = new LinkedHashMap<>();
            files.put(DATABASE, BackupFiles.sha256(target.resolve(DATABASE)));
            Optional<Path> keyset = keysetFile(keyMode);
            if (keyset.isPresent()) {
                files.put(KEYSET, copyKeyset(keyset.get(), target));
            }
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT,
                    Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString(), schemaVersion, keyMode, tables, files);
            Path partialManifest = target.resolve(BackupManifest.FILE_NAME + ".partial");
            Files.deleteIfExists(partialManifest);
            BackupFiles.writeOwnerOnly(partialManifest, manifest.toJson());
            BackupFiles.publish(partialManifest, target.resolve(BackupManifest.FILE_NAME));
            BackupFiles.syncDirectory(target);

            out.println("streamhelper-relay: backup written to " + target + ": " + DATABASE + " (schema version "
                    + schemaVersion + ", " + tables + "), passed PRAGMA integrity_check");
            if (keyMode == KeyMode.ENCRYPTION_KEY) {
                out.println("streamhelper-relay: the key is NOT in the backup: the stream keys in it open only with this"
                        + " server's ENCRYPTION_KEY. Keep that key with the backup, stored apart from it.");
            } else {
                out.println("streamhelper-relay: " + KEYSET + " (the key to the stream keys) is in the backup:"
                        + " keep the backup where only you can read it (docs/backup.md).");
            }
        } catch (SQLException e) {
            throw new BackupException("SQLite could not copy " + database + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackupException("cannot write the backup to " + target + ": " + e, e);
        }
    }

    /**
     * The data directory, or the directory of RELAY_KEYSET_FILE, is never a backup's target,
     * however the path is spelt ("..", relative, a symlink: same file, not same name): there the
     * backup's own file names, which {@code --overwrite} deletes first, are the live database and
     * the key that opens its stream keys.
     */
    private void refuseLiveDirectory(Path target) throws IOException, BackupException {
        if (!Files.isDirectory(target)) {
            return; // created new (or refused as a file by prepare): it holds nothing of the server's
        }
        if (Files.isSameFile(target, config.dataDir())) {
            throw new BackupException(target + " is the data directory (RELAY_DATA_DIR): back up into a directory of its own");
        }
        Optional<Path> keysetDir = config.keysetFile().map(file -> file.toAbsolutePath().getParent());
        if (keysetDir.isPresent() && Files.isDirectory(keysetDir.get()) && Files.isSameFile(target, keysetDir.get())) {
            throw new BackupException(target + " holds RELAY_KEYSET_FILE (" + config.keysetFile().get()
                    + "): back up into a directory of its own");
        }
    }

    /** An empty or new directory; one that holds anything only with --overwrite, and then our files go first. */
    private static void prepare(Path target, boolean overwrite) throws IOException, BackupException {
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new BackupException(target + " exists and is not a directory");
        }
        if (Files.isDirectory(target) && !isEmpty(target)) {
            if (!overwrite) {
                throw new BackupException(target + " is not empty"
                        + (Files.exists(target.resolve(BackupManifest.FILE_NAME)) ? " (it holds a backup)" : "")
                        + ": choose a new directory, or pass --overwrite to replace the backup in it");
            }
            // The manifest first: from here until the new one is written, this is no backup.
            for (String name : OWN_FILES) {
                Files.deleteIfExists(target.resolve(name));
            }
        }
        BackupFiles.ownerOnlyDirectory(target);
    }

    private Optional<Path> keysetFile(KeyMode keyMode) throws BackupException {
        return switch (keyMode) {
            case ENCRYPTION_KEY -> Optional.empty();
            case KEYSET_FILE -> config.keysetFile();
            case DATA_DIR_KEYSET -> {
                Path generated = config.dataDir().resolve(KEYSET);
                if (!Files.isRegularFile(generated)) {
                    throw new BackupException("no " + KEYSET + " in " + config.dataDir()
                            + ": without it the stream keys in the database cannot be read (is ENCRYPTION_KEY or"
                            + " RELAY_KEYSET_FILE set for the server but not here?)");
                }
                yield Optional.of(generated);
            }
        };
    }

    /** Copies the keyset owner-only and checks that the copy is still a keyset; returns its hash. */
    private static String copyKeyset(Path keyset, Path target) throws IOException, BackupException {
        Path partial = target.resolve(KEYSET + ".partial");
        Files.deleteIfExists(partial);
        BackupFiles.copyOwnerOnly(keyset, partial);
        try {
            SecretBox.fromKeysetFile(partial);
        } catch (RuntimeException e) {
            throw new BackupException("the copy of the keyset file does not load: " + e.getMessage());
        }
        String hash = BackupFiles.sha256(partial);
        if (!hash.equals(BackupFiles.sha256(keyset))) {
            throw new BackupException("the keyset file changed while it was copied; run the backup again");
        }
        BackupFiles.publish(partial, target.resolve(KEYSET));
        return hash;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Backup and restore copy the SQLite file (VACUUM INTO, PRAGMA integrity_check); a PostgreSQL
     * database is backed up with PostgreSQL's own tools, which do it consistently while it runs.
     */
    static void refuseUnlessSqlite(RelayConfig config, String command) throws BackupException {
        if (!config.database().isSqlite()) {
            throw new BackupException("the database is PostgreSQL (RELAY_DATABASE_URL, " + config.database().location()
                    + ") and " + command + " copies the embedded SQLite database only: use pg_dump / pg_restore for it,"
                    + " and keep the encryption key (ENCRYPTION_KEY or the keyset file), apart from the dump (docs/backup.md)");
        }
    }
}
