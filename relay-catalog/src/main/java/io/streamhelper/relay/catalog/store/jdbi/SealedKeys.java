package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.secret.SecretBox;

/**
 * Whether a key opens values read from a database file without opening it as the relay does
 * (restore checks a backup's copy before it replaces anything). The associated data is the one
 * the stores seal with; nothing decrypted leaves this class, only yes or no.
 */
public final class SealedKeys {
    private SealedKeys() {
    }

    /** The {@code key_check} row's ciphertext (V3): the canary every server writes with its primary key. */
    public static boolean opensKeyCheck(SecretBox box, byte[] ciphertext) {
        return Sealing.keyCheck(box).opens(ciphertext, JdbiKeyCheck.ID, JdbiKeyCheck.NO_OWNER);
    }

    /** A {@code streams.key_ciphertext} of row {@code id}, owned by {@code ownerId}. */
    public static boolean opensStreamKey(SecretBox box, byte[] ciphertext, long id, long ownerId) {
        return Sealing.streams(box).opens(ciphertext, id, ownerId);
    }

    /** A {@code stream_destinations.stream_key_ciphertext} of row {@code id}, owned by {@code ownerId}. */
    public static boolean opensDestinationKey(SecretBox box, byte[] ciphertext, long id, long ownerId) {
        return Sealing.destinations(box).opens(ciphertext, id, ownerId);
    }
}
