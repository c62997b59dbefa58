package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.time.Instant;

/**
 * A streamer's input stream as stored: the ingest key is decrypted only into a {@link Secret}
 * (prints as {@code ***}). Deleted streams are never returned by the store.
 */
public record StreamRecord(long id, long ownerId, String name, Secret key, boolean live,
                           Instant createdAt, Instant updatedAt) {
}
