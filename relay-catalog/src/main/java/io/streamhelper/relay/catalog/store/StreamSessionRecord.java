package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.session.SessionReport;
import java.time.Instant;
import java.util.List;

/**
 * One stored stream session. {@code endedAt} and {@code endReason} are null while it is live
 * (then it has no counters or destinations yet: they are written when it ends, and the API takes
 * them from the running stream meanwhile); {@code endReason} is an
 * {@link io.streamhelper.relay.engine.session.EndReason} wire name.
 */
public record StreamSessionRecord(long id, long streamId, Instant startedAt, Instant endedAt, String endReason,
        long bytesIn, long videoFrames, long publisherReconnects, List<SessionReport.Destination> destinations) {
    public StreamSessionRecord {
        destinations = List.copyOf(destinations);
    }

    public boolean isLive() {
        return endedAt == null;
    }
}
