package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link JdbiSessionStoreTest} on a real PostgreSQL server. */
class JdbiSessionStoreOnPostgresTest extends JdbiSessionStoreTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
