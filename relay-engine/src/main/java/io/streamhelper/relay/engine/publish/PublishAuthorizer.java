package io.streamhelper.relay.engine.publish;

import java.util.Optional;

/**
 * Decides who may publish. The ingest asks it once per publish request with the stream key (the
 * publish name without its query string). Implementations: {@link StaticStreamCatalog} from
 * configuration; the database-backed one comes with the REST API.
 */
public interface PublishAuthorizer {
    /** The stream that this key opens, or empty when the key is unknown or disabled. */
    Optional<StreamGrant> authorize(String streamKey);
}
