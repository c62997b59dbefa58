package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link JdbiDatabaseTest} on a real PostgreSQL server. */
class JdbiDatabaseOnPostgresTest extends JdbiDatabaseTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
