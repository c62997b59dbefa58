package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.DestinationStore;
import io.streamhelper.relay.catalog.store.StreamSessionStore;
import io.streamhelper.relay.catalog.store.StreamStore;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database as the relay engine sees it: which key opens which stream, where a stream goes,
 * the stored {@code isLive} flag kept in step with publishers, and each stream's session history
 * (a row when it goes live, completed with the engine's {@link SessionReport} when it ends, the
 * last {@code sessionHistory} kept per stream). Those writes run on a thread of their own, in
 * order, so the publisher's event loop never waits for the database.
 */
public final class DatabaseCatalog implements PublishAuthorizer, DestinationDirectory, StreamRegistry.Listener,
        AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseCatalog.class);

    private final StreamStore streams;
    private final DestinationStore destinations;
    private final StreamSessionStore sessions;
    private final int sessionHistory;
    private final Clock clock;
    /** The open session row of each live stream; touched on the writer thread only. */
    private final Map<LiveStream, Long> openSessions = new IdentityHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "db-live-flag");
        t.setDaemon(true);
        return t;
    });

    /** The number of sessions kept per stream when the configuration does not say (RELAY_SESSION_HISTORY). */
    public static final int DEFAULT_SESSION_HISTORY = 50;

    /** @param sessionHistory the ended sessions kept per stream; older ones are deleted as a new one is written */
    public DatabaseCatalog(StreamStore streams, DestinationStore destinations, StreamSessionStore sessions,
            int sessionHistory, Clock clock) {
        if (sessionHistory < 1) {
            throw new IllegalArgumentException("at least one session must be kept per stream");
        }
        this.streams = streams;
        this.destinations = destinations;
        this.sessions = sessions;
        this.sessionHistory = sessionHistory;
        this.clock = clock;
    }

    /**
     * After a crash, streams may still be marked live, and their sessions open: nothing is live
     * when the server starts, so those sessions end now, as {@code interrupted}.
     */
    public int recoverAfterRestart() {
        int cleared = streams.clearAllLive();
        int interrupted = sessions.closeOpen(clock.instant());
        if (cleared > 0 || interrupted > 0) {
            log.info("event=startup_recovery streams_marked_not_live={} sessions_interrupted={}", cleared, interrupted);
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
        writer.execute(() -> {
            try {
                openSessions.put(stream, sessions.open(Long.parseLong(stream.id()), stream.startedAt()));
            } catch (RuntimeException e) {
                // The end writes the whole session anyway; only "live now" is missing meanwhile.
                log.warn("event=session_open_failed stream={} error=\"{}\"", stream.id(), e.getMessage());
            }
        });
    }

    @Override
    public void streamEnded(LiveStream stream) {
        markLive(stream.id(), false);
    }

    @Override
    public void streamEnded(LiveStream stream, SessionReport session) {
        markLive(stream.id(), false);
        writer.execute(() -> {
            Long open = openSessions.remove(stream);
            try {
                sessions.finish(Long.parseLong(stream.id()), open, session, sessionHistory);
            } catch (RuntimeException e) {
                log.warn("event=session_write_failed stream={} error=\"{}\"", stream.id(), e.getMessage());
            }
        });
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

    /** What the relay engine needs of a stored destination: where to publish, under which key, and which codecs it takes. */
    static DestinationTarget target(DestinationRecord d) {
        Platform platform = Platform.fromWireName(d.platform()).orElse(Platform.CUSTOM);
        return new DestinationTarget(String.valueOf(d.id()), d.displayName(), d.rtmpUrl(), d.streamKey(), d.platform(),
                platform.codecRules(d.videoCodecs()));
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
