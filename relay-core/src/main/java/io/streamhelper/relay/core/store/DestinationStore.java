package io.streamhelper.relay.core.store;

import io.streamhelper.relay.core.secret.Secret;
import java.util.List;
import java.util.Optional;

/**
 * Destinations of streams. The stream key is stored only as an AEAD ciphertext whose associated
 * data names the destination id and owner id, so a ciphertext copied to another row does not
 * decrypt. Soft-deleted destinations are invisible to every method.
 */
public interface DestinationStore {
    DestinationRecord create(long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                             Secret streamKey, String displayName);

    Optional<DestinationRecord> findById(long id);

    List<DestinationRecord> listByOwner(long ownerId);

    List<DestinationRecord> listByStream(long streamId);

    /** Applies the non-empty fields of the change; returns the updated destination. */
    DestinationRecord update(long id, DestinationChange change);

    boolean delete(long id);
}
