package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link JdbiDestinationStoreTest} on a real PostgreSQL server. */
class JdbiDestinationStoreOnPostgresTest extends JdbiDestinationStoreTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
