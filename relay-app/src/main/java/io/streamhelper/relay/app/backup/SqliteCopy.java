package io.streamhelper.relay.app.backup;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite side of a backup: one consistent copy of a database another process may be writing,
 * and what can be asked of a copy (integrity, schema version, rows per table).
 *
 * <p>The copy is {@code VACUUM INTO}: it reads the whole database inside one read transaction, so
 * it is one snapshot (the WAL's committed rows included), and in WAL mode it does not hold up the
 * server's writes. The online backup API as sqlite-jdbc drives it ({@code backup to}) copies 100
 * pages a step and starts over whenever another process writes between two steps: with a writer
 * as busy as a relay under API load it may never finish (200 MB with a writer in another JVM: not
 * done after 120 s, where {@code VACUUM INTO} took 0.6 s and its copy held exactly the committed
 * rows). The copy is in rollback-journal mode, so it is a single self-contained file.
 */
final class SqliteCopy {
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private SqliteCopy() {
    }

    /** Writes a snapshot of {@code source} to {@code target}, which must not exist yet or be an empty file (whose mode it keeps). */
    static void snapshot(Path source, Path target) throws SQLException {
        try (Connection connection = open(source, false);
                PreparedStatement vacuum = connection.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, target.toAbsolutePath().toString());
            vacuum.execute();
        }
    }

    /** {@code PRAGMA integrity_check}'s findings; empty when the file is sound. */
    static List<String> integrityProblems(Path database) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection connection = open(database, true);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
            while (rows.next()) {
                String line = rows.getString(1);
                if (!"ok".equals(line)) {
                    problems.add(line);
                }
            }
        }
        return problems;
    }

    /** The version of the last successful Flyway migration, e.g. {@code "1"}. */
    static String schemaVersion(Path database) throws SQLException {
        try (Connection connection = open(database, true);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM flyway_schema_history"
                        + " WHERE success = 1 AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
            if (!rows.next()) {
                throw new SQLException("no successful migration in flyway_schema_history");
            }
            return rows.getString(1);
        }
    }

    /** Rows per table, by table name, every table of the database (SQLite's own excepted). */
    static Map<String, Long> rowCounts(Path database) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = open(database, true); Statement statement = connection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_schema"
                    + " WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            for (String table : tables) {
                // A name read from the schema, quoted as an identifier: never user input.
                try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM \"" + table.replace("\"", "\"\"") + "\"")) {
                    rows.next();
                    counts.put(table, rows.getLong(1));
                }
            }
        }
        return counts;
    }

    /** One sealed value of a copy and the row it belongs to (whose id and owner are in its associated data). */
    record SealedValue(long id, long ownerId, byte[] ciphertext) {
    }

    /** What a restore tries its key on: the key check (V3), one stream's key, one destination's key; each may be absent. */
    record SealedSamples(Optional<byte[]> keyCheck, Optional<SealedValue> stream, Optional<SealedValue> destination) {
        boolean isEmpty() {
            return keyCheck.isEmpty() && stream.isEmpty() && destination.isEmpty();
        }
    }

    static SealedSamples sealedSamples(Path database) throws SQLException {
        try (Connection connection = open(database, true)) {
            Optional<SealedValue> keyCheck = hasTable(connection, "key_check")
                    ? first(connection, "SELECT id, 0, ciphertext FROM key_check WHERE id = 1") : Optional.empty();
            return new SealedSamples(keyCheck.map(SealedValue::ciphertext),
                    first(connection, "SELECT id, owner_id, key_ciphertext FROM streams"
                            + " WHERE key_ciphertext IS NOT NULL ORDER BY id LIMIT 1"),
                    first(connection, "SELECT id, owner_id, stream_key_ciphertext FROM stream_destinations"
                            + " WHERE stream_key_ciphertext IS NOT NULL ORDER BY id LIMIT 1"));
        }
    }

    private static boolean hasTable(Connection connection, String table) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static Optional<SealedValue> first(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? Optional.of(new SealedValue(rows.getLong(1), rows.getLong(2), rows.getBytes(3))) : Optional.empty();
        }
    }

    private static Connection open(Path database, boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config.createConnection("jdbc:sqlite:" + database.toAbsolutePath());
    }
}
