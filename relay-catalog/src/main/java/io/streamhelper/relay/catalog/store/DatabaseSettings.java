package io.streamhelper.relay.catalog.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the database is. {@code username} and {@code password} may be null (SQLite needs none).
 */
public record DatabaseSettings(String jdbcUrl, String username, String password, int maxPoolSize) {
    public static final String SQLITE_FILE_NAME = "relay.db";

    /** SQLite writes one at a time anyway; a few connections let reads run beside a write. */
    private static final int SQLITE_POOL_SIZE = 4;
    /** One node's API and relay; PostgreSQL's default max_connections (100) holds several nodes. */
    public static final int POSTGRESQL_POOL_SIZE = 10;
    private static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    public DatabaseSettings {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            throw new IllegalArgumentException("jdbcUrl is required");
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1");
        }
    }

    /** {@code <dataDir>/relay.db}, creating {@code dataDir} if needed. */
    public static DatabaseSettings sqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir, e);
        }
        Path file = dataDir.resolve(SQLITE_FILE_NAME).toAbsolutePath();
        return new DatabaseSettings("jdbc:sqlite:" + file, null, null, SQLITE_POOL_SIZE);
    }

    /**
     * A PostgreSQL server. {@code username} and {@code password} may be null when the URL carries
     * them ({@code ?user=...&password=...}).
     *
     * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL the driver accepts;
     *     the message never repeats the URL (it may hold the password)
     */
    public static DatabaseSettings postgresql(String jdbcUrl, String username, String password) {
        if (jdbcUrl == null || !jdbcUrl.startsWith(POSTGRESQL_PREFIX) || parsed(jdbcUrl).isEmpty()) {
            throw new IllegalArgumentException("must be a PostgreSQL JDBC URL such as jdbc:postgresql://db.example.com:5432/relay");
        }
        return new DatabaseSettings(jdbcUrl, username, password, POSTGRESQL_POOL_SIZE);
    }

    public boolean isSqlite() {
        return jdbcUrl.startsWith("jdbc:sqlite:");
    }

    /**
     * Where the database is, safe for logs and error messages: the SQLite file, or host:port/database
     * of a PostgreSQL URL without its parameters (a password may be among them).
     */
    public String location() {
        if (isSqlite()) {
            return jdbcUrl.substring("jdbc:sqlite:".length());
        }
        return parsed(jdbcUrl)
                .map(p -> "postgresql://" + p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT") + "/" + p.getProperty("PGDBNAME"))
                .orElse("postgresql (unparsable URL)");
    }

    private static Optional<Properties> parsed(String jdbcUrl) {
        return Optional.ofNullable(org.postgresql.Driver.parseURL(jdbcUrl, new Properties()));
    }

    /** Never prints the password (records print every field by default). */
    @Override
    public String toString() {
        return "DatabaseSettings[location=" + location() + ", username=" + username
                + ", password=" + (password == null ? "null" : "***") + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
