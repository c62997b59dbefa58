package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.store.jdbi.StoreBackend;

/** Every case of {@link SessionEndWriteTest} on a real PostgreSQL server. */
class SessionEndWriteOnPostgresTest extends SessionEndWriteTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
