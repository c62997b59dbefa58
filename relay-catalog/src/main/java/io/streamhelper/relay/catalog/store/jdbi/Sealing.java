package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.catalog.store.StoreException;
import java.nio.charset.StandardCharsets;

/**
 * Seals and opens the keys of one kind of row. The associated data names the row and its owner,
 * so a ciphertext copied into another row, or another owner's row, does not open.
 */
final class Sealing {
    private final SecretBox box;
    private final String entity;

    private Sealing(SecretBox box, String entity) {
        this.box = box;
        this.entity = entity;
    }

    static Sealing streams(SecretBox box) {
        return new Sealing(box, "stream");
    }

    static Sealing destinations(SecretBox box) {
        return new Sealing(box, "destination");
    }

    byte[] seal(Secret key, long id, long ownerId) {
        return box.seal(key.reveal(), associatedData(id, ownerId));
    }

    Secret open(byte[] ciphertext, long id, long ownerId) {
        return Secret.of(openValue(ciphertext, id, ownerId));
    }

    /**
     * The key still sealed, decrypted the first time it is used: a listing that never shows
     * keys then decrypts none. A ciphertext that does not open fails that use.
     */
    Secret openWhenUsed(byte[] ciphertext, long id, long ownerId) {
        return Secret.sealed(() -> openValue(ciphertext, id, ownerId));
    }

    private String openValue(byte[] ciphertext, long id, long ownerId) {
        try {
            return box.open(ciphertext, associatedData(id, ownerId));
        } catch (SecretDecryptionException e) {
            throw new StoreException(entity + " " + id + ": the stored key does not decrypt"
                    + " (another encryption key, or a ciphertext that belongs to another row)", e);
        }
    }

    private byte[] associatedData(long id, long ownerId) {
        return (entity + ":" + id + ":owner:" + ownerId).getBytes(StandardCharsets.UTF_8);
    }
}
