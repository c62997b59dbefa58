package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.catalog.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

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

    /** The start-up key check's one row ({@code key_check}, id 1, no owner). */
    static Sealing keyCheck(SecretBox box) {
        return new Sealing(box, "key_check");
    }

    String entity() {
        return entity;
    }

    /** A write that seals with {@link #seal}: see {@link SecretBox#sealing}. */
    <T> T storing(Supplier<T> sealAndStore) {
        return box.sealing(sealAndStore);
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

    /**
     * As {@link #openWhenUsed}, and if {@code ciphertext} no longer opens (a key rotation re-sealed
     * the row and dropped the old key since it was read), opens the row's current ciphertext:
     * a relay that read its destination before a rotation still dials after it.
     */
    Secret openWhenUsed(byte[] ciphertext, long id, long ownerId, Supplier<byte[]> current) {
        return Secret.sealed(() -> {
            try {
                return openValue(ciphertext, id, ownerId);
            } catch (StoreException stale) {
                byte[] now = current.get();
                if (now == null || Arrays.equals(now, ciphertext)) {
                    throw stale;
                }
                return openValue(now, id, ownerId);
            }
        });
    }

    /**
     * The value sealed again with the primary key, or null when the primary already opens it
     * (nothing to do: what lets an interrupted rotation continue where it stopped).
     */
    byte[] resealIfOld(byte[] ciphertext, long id, long ownerId) {
        byte[] associatedData = associatedData(id, ownerId);
        if (box.opensWithPrimary(ciphertext, associatedData)) {
            return null;
        }
        return box.seal(openValue(ciphertext, id, ownerId), associatedData);
    }

    boolean opens(byte[] ciphertext, long id, long ownerId) {
        try {
            box.open(ciphertext, associatedData(id, ownerId));
            return true;
        } catch (SecretDecryptionException e) {
            return false;
        }
    }

    byte[] sealValue(String value, long id, long ownerId) {
        return box.seal(value, associatedData(id, ownerId));
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
