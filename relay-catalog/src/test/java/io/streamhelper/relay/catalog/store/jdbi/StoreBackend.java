package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.PostgresServer;
import java.nio.file.Path;

/**
 * The two databases the store runs on. Every store test runs on SQLite (its own class) and on
 * PostgreSQL (a {@code ...OnPostgresTest} subclass that only overrides {@link StoreTest#backend()}).
 */
public enum StoreBackend {
    SQLITE {
        @Override
        TestStore create(Path dataDir) {
            return new TestStore(this, DatabaseSettings.sqlite(dataDir), null);
        }
    },
    /** A fresh database on the JVM's test PostgreSQL server (relay-testkit's PostgresServer). */
    POSTGRESQL {
        @Override
        TestStore create(Path dataDir) {
            PostgresServer server = PostgresServer.shared();
            PostgresServer.TestDatabase db = server.createDatabase();
            return new TestStore(this, new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), POOL_SIZE), server);
        }
    };

    /** Enough for the concurrency the tests create; small, as every test opens its own pools. */
    private static final int POOL_SIZE = 4;

    abstract TestStore create(Path dataDir);
}
