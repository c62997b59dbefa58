package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link JdbiUserStoreTest} on a real PostgreSQL server. */
class JdbiUserStoreOnPostgresTest extends JdbiUserStoreTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
