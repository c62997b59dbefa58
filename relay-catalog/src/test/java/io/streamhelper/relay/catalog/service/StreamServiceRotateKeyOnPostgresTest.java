package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.store.jdbi.StoreBackend;

/** Every case of {@link StreamServiceRotateKeyTest} on a real PostgreSQL server. */
class StreamServiceRotateKeyOnPostgresTest extends StreamServiceRotateKeyTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
