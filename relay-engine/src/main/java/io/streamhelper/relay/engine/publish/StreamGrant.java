package io.streamhelper.relay.engine.publish;

import java.util.Objects;

/**
 * The stream a key opens: its id (safe to log and show), a human name, and the id of the user who
 * owns it ({@link #NO_OWNER} for streams from a configuration file, which only admins see). Never
 * the key itself.
 */
public record StreamGrant(String streamId, String name, long ownerId) {
    public static final long NO_OWNER = 0;

    public StreamGrant {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(name, "name");
    }

    public StreamGrant(String streamId, String name) {
        this(streamId, name, NO_OWNER);
    }
}
