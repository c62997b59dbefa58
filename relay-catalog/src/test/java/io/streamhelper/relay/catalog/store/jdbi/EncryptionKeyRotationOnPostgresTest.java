package io.streamhelper.relay.catalog.store.jdbi;

/** Every case of {@link EncryptionKeyRotationTest} on a real PostgreSQL server. */
class EncryptionKeyRotationOnPostgresTest extends EncryptionKeyRotationTest {
    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }
}
