package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.util.List;
import java.util.Optional;

/**
 * The fields of a destination an update may change; an empty field is left as it is. A present
 * but empty {@code videoCodecs} lifts the restriction.
 */
public record DestinationChange(Optional<Boolean> enabled, Optional<Secret> streamKey,
                                Optional<String> rtmpUrl, Optional<String> displayName,
                                Optional<List<String>> videoCodecs) {
    public DestinationChange(Optional<Boolean> enabled, Optional<Secret> streamKey, Optional<String> rtmpUrl,
                             Optional<String> displayName) {
        this(enabled, streamKey, rtmpUrl, displayName, Optional.empty());
    }

    public static DestinationChange none() {
        return new DestinationChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
