package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;

/** One test's real database (SQLite file or PostgreSQL database), opened as the server opens it. */
public final class TestStore {
    public static final String HEX_KEY = "4f1c2b7a9e3d5c6b8a0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69";

    private final StoreBackend backend;
    private final DatabaseSettings settings;
    private final PostgresServer postgres;

    TestStore(StoreBackend backend, DatabaseSettings settings, PostgresServer postgres) {
        this.backend = backend;
        this.settings = settings;
        this.postgres = postgres;
    }

    public StoreBackend backend() {
        return backend;
    }

    public DatabaseSettings settings() {
        return settings;
    }

    public Database open(Clock clock) {
        return open(SecretBox.fromHexKey(HEX_KEY), clock);
    }

    public Database open(SecretBox secrets, Clock clock) {
        return Database.open(settings, secrets, clock);
    }

    /** A second, raw connection, for what a user with the sqlite3 tool or psql could do. */
    public Connection raw() throws SQLException {
        return DriverManager.getConnection(settings.jdbcUrl(), settings.username(), settings.password());
    }

    /** A Jdbi of its own on the same database, beside the server's pool. */
    public Jdbi jdbi() {
        return settings.username() == null ? Jdbi.create(settings.jdbcUrl())
                : Jdbi.create(settings.jdbcUrl(), settings.username(), settings.password());
    }

    /**
     * Everything someone holding the storage could read: SQLite's relay.db and its -wal / -shm
     * files as they are now; for PostgreSQL what pg_dump writes of the database.
     */
    public byte[] storedBytes(Path dataDir) throws IOException, InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        if (backend == StoreBackend.SQLITE) {
            try (Stream<Path> files = Files.list(dataDir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith(DatabaseSettings.SQLITE_FILE_NAME)).toList()) {
                    all.write(Files.readAllBytes(file));
                }
            }
            return all.toByteArray();
        }
        Path dump = Files.createTempFile(dataDir, "pg_dump", ".sql");
        ProcessBuilder pgDump = new ProcessBuilder(postgres.program("pg_dump").toString(), "--no-owner",
                "-f", dump.toString(), "-d", settings.jdbcUrl().substring("jdbc:".length()),
                "-U", settings.username())
                .redirectErrorStream(true);
        pgDump.environment().put("PGPASSWORD", settings.password());
        Process process = pgDump.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("pg_dump failed: " + output);
        }
        byte[] bytes = Files.readAllBytes(dump);
        Files.delete(dump);
        return bytes;
    }
}
