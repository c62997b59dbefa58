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

    /**
     * Whether each test needs a database nothing ran on before (migrations included), as SQLite
     * always gives; otherwise PostgreSQL's tests share one database per class, emptied between them.
     */
    protected boolean freshDatabasePerTest() {
        return false;
    }

    /** This test's database, empty on first use in each test method. */
    protected final TestStore store() {
        if (store == null) {
            store = backend().create(getClass(), freshDatabasePerTest(), dataDir);
        }
        return store;
    }
}
