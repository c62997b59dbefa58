package io.streamhelper.relay.core.publish;

import java.util.Objects;

/** The stream a key opens: its id (safe to log and show) and a human name. Never the key itself. */
public record StreamGrant(String streamId, String name) {
    public StreamGrant {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(name, "name");
    }
}
