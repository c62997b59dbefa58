package io.streamhelper.relay.cluster;

import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import java.util.Objects;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Another node's change to a stream, applied to this node's registry if the stream is live here
 * (a node that does not hold it does nothing, and reads nothing): new destinations re-read and
 * reconciled, a deleted stream ended and its publisher disconnected, a rotated key ending a
 * stream that waits for its publisher. Runs on the bus's thread, which may block on the database
 * (never an event loop). This node's own notices are skipped: its services acted before sending.
 *
 * <p>After the bus reconnected, notices may have been missed: every database stream live here
 * has its destinations re-read, and one whose stream no longer exists ends as a delete would.
 * (A key rotated while the bus was down is not seen this way: a publisher that comes back with
 * the old key is refused at its publish, so a stream waiting for it ends at its grace's end.)
 */
public final class ClusterChangeApplier implements ClusterBus.Listener {
    private static final Logger log = LoggerFactory.getLogger(ClusterChangeApplier.class);
    /** What the database assigns (the streams file's ids are names, never only digits like these). */
    private static final String DATABASE_ID = "[1-9][0-9]{0,18}";

    private final StreamRegistry registry;
    private final String nodeId;
    private final LongPredicate streamExists;

    /**
     * @param streamExists whether the catalog still has this stream (a read of the database: on the bus thread)
     */
    public ClusterChangeApplier(StreamRegistry registry, String nodeId, LongPredicate streamExists) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.streamExists = Objects.requireNonNull(streamExists, "streamExists");
    }

    @Override
    public void notice(ClusterNotice notice) {
        if (notice.from().equals(nodeId)) {
            return;
        }
        String streamId = String.valueOf(notice.streamId());
        switch (notice.kind()) {
            case DESTINATIONS_CHANGED -> {
                if (registry.refreshDestinations(streamId)) {
                    log.info("event=cluster_change_applied kind=destinations_changed stream={} from={}", streamId, notice.from());
                }
            }
            case STREAM_DELETED -> {
                if (registry.disconnect(streamId)) {
                    log.info("event=cluster_change_applied kind=stream_deleted stream={} from={}", streamId, notice.from());
                }
            }
            case KEY_ROTATED -> {
                if (registry.keyRotated(streamId)) {
                    log.info("event=cluster_change_applied kind=key_rotated stream={} from={}", streamId, notice.from());
                }
            }
            // Lease hand-overs are ClusterOwnership's (hA), on the same bus.
            case RELEASE, RELEASED -> {
            }
        }
    }

    @Override
    public void resynced() {
        int refreshed = 0;
        int ended = 0;
        for (LiveStream stream : registry.liveStreams()) {
            String id = stream.id();
            if (!id.matches(DATABASE_ID)) {
                continue; // the streams file's: no other node changes them
            }
            try {
                if (!streamExists.test(Long.parseLong(id))) {
                    if (registry.disconnect(id)) {
                        ended++;
                    }
                } else if (registry.refreshDestinations(id)) {
                    refreshed++;
                }
            } catch (RuntimeException e) {
                // The database is down again: the bus will lose its connection too, and resync once more.
                log.warn("event=cluster_resync_failed stream={} error=\"{}\"", id, e.getMessage());
            }
        }
        log.info("event=cluster_resync refreshed={} ended={}", refreshed, ended);
    }
}
