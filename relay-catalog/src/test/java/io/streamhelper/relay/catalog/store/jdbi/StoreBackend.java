package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two databases the store runs on. Every store test runs on SQLite (its own class) and on
 * PostgreSQL (a {@code ...OnPostgresTest} subclass that only overrides {@link StoreTest#backend()}).
 */
public enum StoreBackend {
    SQLITE {
        @Override
        TestStore create(Class<?> testClass, boolean freshDatabase, Path dataDir) {
            return new TestStore(this, DatabaseSettings.sqlite(dataDir), null);
        }
    },
    /**
     * A database of the test class's own on the JVM's test PostgreSQL server (relay-testkit's
     * PostgresServer), emptied before each test: what a fresh SQLite file is to the SQLite run.
     */
    POSTGRESQL {
        @Override
        TestStore create(Class<?> testClass, boolean freshDatabase, Path dataDir) {
            PostgresServer server = PostgresServer.shared();
            PostgresServer.TestDatabase db;
            synchronized (PER_CLASS) {
                db = PER_CLASS.get(testClass);
                if (db == null || freshDatabase) {
                    db = server.createDatabase();
                    PER_CLASS.put(testClass, db);
                } else {
                    empty(db);
                }
            }
            return new TestStore(this, new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), POOL_SIZE), server);
        }
    };

    private static final Map<Class<?>, PostgresServer.TestDatabase> PER_CLASS = new HashMap<>();

    /** Enough for the concurrency the tests create; small, as every test opens its own pools. */
    private static final int POOL_SIZE = 4;

    /** {@code freshDatabase}: a new, unmigrated PostgreSQL database even if the class has one. */
    abstract TestStore create(Class<?> testClass, boolean freshDatabase, Path dataDir);

    /**
     * Every table but Flyway's history emptied, ids restarting at 1: the schema stays migrated
     * (a CREATE DATABASE and a migration per test cost ~1 s each), the rows are a fresh start.
     * Tables of new migrations are included without naming them here.
     */
    private static void empty(PostgresServer.TestDatabase db) {
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement sql = connection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    + " AND tablename <> 'flyway_schema_history'")) {
                while (rows.next()) {
                    tables.add('"' + rows.getString(1) + '"');
                }
            }
            if (!tables.isEmpty()) {
                // A test that left a connection inside a transaction would block this for ever.
                sql.execute("SET lock_timeout = '5s'");
                sql.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty test database " + db.name() + ": " + e.getMessage(), e);
        }
    }
}
