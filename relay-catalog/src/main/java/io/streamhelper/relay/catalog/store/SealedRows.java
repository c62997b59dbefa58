package io.streamhelper.relay.catalog.store;

/**
 * Every value the database holds sealed with the encryption key: streams' ingest keys,
 * destinations' keys and the start-up key check. What a key rotation walks through.
 */
public interface SealedRows {
    /** What one {@link #resealAll} did: rows it sealed again, and rows the primary already opened. */
    record Resealed(int streams, int destinations, int keyCheck, int alreadyCurrent) {
        public int rows() {
            return streams + destinations + keyCheck;
        }

        /** This and a later pass over the same rows: what was already current is what the first saw. */
        public Resealed plus(Resealed later) {
            return new Resealed(streams + later.streams, destinations + later.destinations, keyCheck + later.keyCheck,
                    alreadyCurrent);
        }
    }

    /**
     * Seals every value the primary key does not open yet with the primary, in small
     * transactions; each update only lands if the row still holds the ciphertext that was read,
     * so a key changed through the API meanwhile is never overwritten. Returns once a full pass
     * found every value opening with the primary.
     *
     * @throws StoreException if a value opens with no key of the ring (nothing is lost: the
     *         keyring keeps every key until this returns)
     */
    Resealed resealAll();
}
