package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link JdbiStreamStoreTest} on a real PostgreSQL server. */
class JdbiStreamStoreOnPostgresTest extends JdbiStreamStoreTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
