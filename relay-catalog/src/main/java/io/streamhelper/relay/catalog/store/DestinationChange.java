package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.util.Optional;

/** The fields of a destination an update may change; an empty field is left as it is. */
public record DestinationChange(Optional<Boolean> enabled, Optional<Secret> streamKey,
                                Optional<String> rtmpUrl, Optional<String> displayName,
                                Optional<Integer> videoTrack, Optional<Integer> audioTrack) {
    public DestinationChange(Optional<Boolean> enabled, Optional<Secret> streamKey, Optional<String> rtmpUrl,
                             Optional<String> displayName) {
        this(enabled, streamKey, rtmpUrl, displayName, Optional.empty(), Optional.empty());
    }

    public static DestinationChange none() {
        return new DestinationChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Only the tracks. */
    public static DestinationChange tracks(Optional<Integer> videoTrack, Optional<Integer> audioTrack) {
        return new DestinationChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), videoTrack, audioTrack);
    }
}
