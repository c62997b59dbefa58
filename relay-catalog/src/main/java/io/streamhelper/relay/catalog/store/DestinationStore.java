package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.util.List;
import java.util.Optional;

/**
 * Destinations of streams. The stream key is stored only as an AEAD ciphertext whose associated
 * data names the destination id and owner id, so a ciphertext copied to another row does not
 * decrypt. Soft-deleted destinations are invisible to every method. A database failure is a
 * {@link StoreException}; so is a stored key that does not decrypt, when the record's key is first
 * used (records come with their keys still sealed: listing decrypts nothing).
 */
public interface DestinationStore {
    /**
     * @throws java.util.NoSuchElementException when the stream does not exist, was deleted, or is
     *         not owned by {@code ownerId}
     */
    default DestinationRecord create(long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                                     Secret streamKey, String displayName) {
        return create(streamId, ownerId, platform, enabled, rtmpUrl, streamKey, displayName, List.of());
    }

    /** The same, restricted to {@code videoCodecs} (FourCCs, already checked; empty: not restricted). */
    DestinationRecord create(long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                             Secret streamKey, String displayName, List<String> videoCodecs);

    Optional<DestinationRecord> findById(long id);

    List<DestinationRecord> listByOwner(long ownerId);

    List<DestinationRecord> listByStream(long streamId);

    /** How many destinations the account has, counted without opening (decrypting) a key. */
    int countByOwner(long ownerId);

    /** How many destinations the stream has, counted without opening (decrypting) a key. */
    int countByStream(long streamId);

    /**
     * Applies the non-empty fields of the change and bumps {@code updatedAt}; returns the updated
     * destination.
     *
     * @throws java.util.NoSuchElementException when the destination does not exist or was deleted
     */
    DestinationRecord update(long id, DestinationChange change);

    boolean delete(long id);
}
