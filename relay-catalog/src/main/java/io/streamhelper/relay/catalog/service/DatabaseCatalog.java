package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.DestinationStore;
import io.streamhelper.relay.catalog.store.StreamStore;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database as the relay engine sees it: which key opens which stream, where a stream goes,
 * and the stored {@code isLive} flag kept in step with publishers. The flag is written on a
 * thread of its own, in order, so the publisher's event loop never waits for the database.
 */
public final class DatabaseCatalog implements PublishAuthorizer, DestinationDirectory, StreamRegistry.Listener,
        AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseCatalog.class);

    private final StreamStore streams;
    private final DestinationStore destinations;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "db-live-flag");
        t.setDaemon(true);
        return t;
    });

    public DatabaseCatalog(StreamStore streams, DestinationStore destinations) {
        this.streams = streams;
        this.destinations = destinations;
    }

    /** After a crash, streams may still be marked live: nothing is live when the server starts. */
    public int recoverAfterRestart() {
        int cleared = streams.clearAllLive();
        if (cleared > 0) {
            log.info("event=startup_recovery streams_marked_not_live={}", cleared);
        }
        return cleared;
    }

    @Override
    public Optional<StreamGrant> authorize(String streamKey) {
        if (streamKey == null || streamKey.isEmpty() || streamKey.length() > Fields.MAX_KEY) {
            return Optional.empty();
        }
        return streams.findByKey(streamKey)
                .map(s -> new StreamGrant(String.valueOf(s.id()), s.name(), s.ownerId()));
    }

    @Override
    public List<DestinationTarget> destinationsOf(String streamId) {
        return destinations.listByStream(Long.parseLong(streamId)).stream()
                .filter(DestinationRecord::enabled)
                .map(DatabaseCatalog::target)
                .toList();
    }

    @Override
    public void streamStarted(LiveStream stream) {
        markLive(stream.id(), true);
    }

    @Override
    public void streamEnded(LiveStream stream) {
        markLive(stream.id(), false);
    }

    private void markLive(String streamId, boolean live) {
        writer.execute(() -> {
            try {
                streams.setLive(Long.parseLong(streamId), live);
            } catch (RuntimeException e) {
                log.warn("event=live_flag_failed stream={} live={} error=\"{}\"", streamId, live, e.getMessage());
            }
        });
    }

    /** What the relay engine needs of a stored destination: where to publish and under which key. */
    static DestinationTarget target(DestinationRecord d) {
        return new DestinationTarget(String.valueOf(d.id()), d.displayName(), d.rtmpUrl(), d.streamKey(), d.platform());
    }

    /** Finishes the pending live-flag writes (shutdown: nothing half-written), waiting up to 2 s. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
