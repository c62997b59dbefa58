package io.streamhelper.relay.engine.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A session still live, as it stands now: what the API shows in place of the open row's empty
 * fields (the row is only completed when the session ends). Names no key and no URL path, as
 * {@link SessionReport} does not.
 */
public record SessionSoFar(String streamId, Instant startedAt, long bytesIn, long videoFrames,
        long publisherReconnects, List<SessionReport.Destination> destinations) {
    public SessionSoFar {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(startedAt, "startedAt");
        destinations = List.copyOf(destinations);
    }
}
