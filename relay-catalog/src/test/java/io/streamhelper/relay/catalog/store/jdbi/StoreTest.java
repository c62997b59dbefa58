package io.streamhelper.relay.catalog.store.jdbi;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of every test that talks to the database. Runs on SQLite; its {@code ...OnPostgresTest}
 * subclass runs the very same cases on PostgreSQL by overriding {@link #backend()}.
 */
public abstract class StoreTest {
    @TempDir
    protected Path dataDir;
    private TestStore store;

    protected StoreBackend backend() {
        return StoreBackend.SQLITE;
    }

    /** This test's database, created on first use (a fresh one per test method). */
    protected final TestStore store() {
        if (store == null) {
            store = backend().create(dataDir);
        }
        return store;
    }
}
