package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.util.Optional;

/** The fields of a destination an update may change; an empty field is left as it is. */
public record DestinationChange(Optional<Boolean> enabled, Optional<Secret> streamKey,
                                Optional<String> rtmpUrl, Optional<String> displayName) {
    public static DestinationChange none() {
        return new DestinationChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
