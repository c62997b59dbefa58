package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link JdbiStreamSessionStoreTest} on a real PostgreSQL server. */
class JdbiStreamSessionStoreOnPostgresTest extends JdbiStreamSessionStoreTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
