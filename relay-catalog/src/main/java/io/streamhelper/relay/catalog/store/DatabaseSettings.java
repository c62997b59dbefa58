package io.streamhelper.relay.catalog.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the database is. {@code username} and {@code password} may be null (SQLite needs none).
 */
public record DatabaseSettings(String jdbcUrl, String username, String password, int maxPoolSize) {
    public static final String SQLITE_FILE_NAME = "relay.db";

    /** SQLite writes one at a time anyway; a few connections let reads run beside a write. */
    private static final int SQLITE_POOL_SIZE = 4;

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

    /** Never prints the password (records print every field by default). */
    @Override
    public String toString() {
        return "DatabaseSettings[jdbcUrl=" + jdbcUrl + ", username=" + username
                + ", password=" + (password == null ? "null" : "***") + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
