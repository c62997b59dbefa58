package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Input streams. The ingest key is stored twice, neither time in plaintext: a SHA-256 hash to find
 * the stream a publisher names, and an AEAD ciphertext (bound to the stream and its owner) so its
 * owner can read it back. Soft-deleted streams are invisible to every method. A database failure,
 * a key shared with another stream, or a stored key that does not decrypt is a {@link StoreException}.
 */
public interface StreamStore {
    StreamRecord create(long ownerId, String name, Secret key);

    Optional<StreamRecord> findById(long id);

    /** The stream whose current ingest key this is. */
    Optional<StreamRecord> findByKey(String key);

    List<StreamRecord> listByOwner(long ownerId);

    List<StreamRecord> listAll();

    /** How many streams exist (not deleted), over every account; no key is read or decrypted. */
    long count();

    /** The current names of those of these streams that exist (not deleted), by id; no key is read. */
    Map<Long, String> namesOf(Collection<Long> ids);

    /**
     * Replaces the ingest key; returns the updated stream.
     *
     * @throws java.util.NoSuchElementException when the stream does not exist or was deleted
     */
    StreamRecord rotateKey(long id, Secret newKey);

    /**
     * Gives the stream a new name; returns the updated stream.
     *
     * @throws java.util.NoSuchElementException when the stream does not exist or was deleted
     */
    StreamRecord rename(long id, String name);

    /**
     * Soft-deletes the stream and all its destinations in one transaction; its key is freed for
     * new streams. False when the stream does not exist or was deleted already.
     */
    boolean delete(long id);

    void setLive(long id, boolean live);

    /** Marks every stream not live (start-up recovery after a crash); returns how many changed. */
    int clearAllLive();

    /** As {@link #clearAllLive()}, leaving these streams as they are (live on another alive node). */
    int clearAllLiveExcept(java.util.Set<Long> streamIds);
}
