package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.media.TrackSelection;
import io.streamhelper.relay.engine.destination.Timers;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database as the relay engine sees it: which key opens which stream, where a stream goes,
 * the stored {@code isLive} flag kept in step with publishers, and each stream's session history
 * (a row when it goes live, completed with the engine's {@link SessionReport} when it ends, the
 * last {@code sessionHistory} kept per stream). Those writes run on a thread of their own, in
 * order, so the publisher's event loop never waits for the database.
 *
 * <p>A session's end that cannot be written (the database failing at that moment) is not dropped:
 * the report is kept and written again after {@link #FIRST_RETRY}, doubling up to
 * {@link #LAST_RETRY}, for as long as the server runs, and once more when it closes. Only a report
 * that still cannot be written then is lost, and said so in the log; its row, still open, is
 * closed as {@code interrupted} at the next start.
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
    /**
     * Session ends whose write failed, oldest first, each with its retry; on the writer thread
     * only. Bounded by {@link #MAX_PENDING_ENDS}: a database down for good does not grow it
     * without end.
     */
    private final Map<PendingEnd, Timers.Cancellable> pendingEnds = new LinkedHashMap<>();
    /** Set on the writer thread by {@link #close}'s last attempt: no retry is scheduled after it. */
    private boolean closing;
    private final ScheduledThreadPoolExecutor writer;
    /** When a failed session end is tried again; its tasks only hand the attempt to the writer. */
    private final Timers.Scheduler retries;

    /** The number of sessions kept per stream when the configuration does not say (RELAY_SESSION_HISTORY). */
    public static final int DEFAULT_SESSION_HISTORY = 50;
    /** The first retry of a session end that could not be written; each further one waits twice as long. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** The longest wait between two retries. */
    static final Duration LAST_RETRY = Duration.ofSeconds(60);
    /** At most this many unwritten session ends are kept; past it the oldest is given up (and logged). */
    static final int MAX_PENDING_ENDS = 64;

    /** A session's end not yet written; on the writer thread only. */
    private static final class PendingEnd {
        final String streamId;
        final Long openId;
        final SessionReport report;
        int failures;

        PendingEnd(String streamId, Long openId, SessionReport report) {
            this.streamId = streamId;
            this.openId = openId;
            this.report = report;
        }
    }

    /** @param sessionHistory the ended sessions kept per stream; older ones are deleted as a new one is written */
    public DatabaseCatalog(StreamStore streams, DestinationStore destinations, StreamSessionStore sessions,
            int sessionHistory, Clock clock) {
        this(streams, destinations, sessions, sessionHistory, clock, null);
    }

    /** @param retries where failed session ends wait for their retry (virtual time in tests); null: the writer thread's */
    DatabaseCatalog(StreamStore streams, DestinationStore destinations, StreamSessionStore sessions,
            int sessionHistory, Clock clock, Timers.Scheduler retries) {
        if (sessionHistory < 1) {
            throw new IllegalArgumentException("at least one session must be kept per stream");
        }
        this.streams = streams;
        this.destinations = destinations;
        this.sessions = sessions;
        this.sessionHistory = sessionHistory;
        this.clock = clock;
        this.writer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "db-live-flag");
            t.setDaemon(true);
            return t;
        });
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.retries = retries != null ? retries : (delay, task) -> {
            ScheduledFuture<?> future = writer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
    }

    /**
     * After a crash, streams may still be marked live, and their sessions open: nothing is live
     * when the server starts, so those sessions end now, as {@code interrupted}.
     */
    public int recoverAfterRestart() {
        return recoverAfterRestart(java.util.Set.of());
    }

    /**
     * As {@link #recoverAfterRestart()}, leaving alone the streams another node relays now (a
     * node joining a service on one PostgreSQL must not end what the others have on air).
     */
    public int recoverAfterRestart(java.util.Set<Long> liveElsewhere) {
        int cleared = streams.clearAllLiveExcept(liveElsewhere);
        int interrupted = sessions.closeOpenExcept(clock.instant(), liveElsewhere);
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
        writer.execute(() -> writeEnd(new PendingEnd(stream.id(), openSessions.remove(stream), session)));
    }

    /**
     * On the writer thread: completes the session's row; if the database fails, one log line
     * and a retry later (none once closing). Returns whether it was written.
     */
    private boolean writeEnd(PendingEnd end) {
        try {
            sessions.finish(Long.parseLong(end.streamId), end.openId, end.report, sessionHistory);
            if (end.failures > 0) {
                log.info("event=session_write_recovered stream={} failed_attempts={}", end.streamId, end.failures);
            }
            return true;
        } catch (RuntimeException e) {
            end.failures++;
            if (closing) {
                log.warn("event=session_write_failed stream={} attempt={} error=\"{}\"", end.streamId, end.failures,
                        e.getMessage());
                return false;
            }
            Duration wait = retryDelay(end.failures);
            log.warn("event=session_write_failed stream={} attempt={} retry_in_s={} error=\"{}\"", end.streamId,
                    end.failures, wait.toSeconds(), e.getMessage());
            if (pendingEnds.size() >= MAX_PENDING_ENDS) {
                PendingEnd oldest = pendingEnds.keySet().iterator().next();
                pendingEnds.remove(oldest).cancel();
                abandoned(oldest, "too many session ends waiting to be written");
            }
            pendingEnds.put(end, retries.after(wait, () -> onWriter(() -> {
                if (pendingEnds.remove(end) != null) {
                    writeEnd(end);
                }
            })));
            return false;
        }
    }

    /** 1 s, 2 s, 4 s, ... up to {@link #LAST_RETRY}. */
    static Duration retryDelay(int failures) {
        int doublings = Math.min(failures - 1, 16);
        Duration delay = FIRST_RETRY.multipliedBy(1L << doublings);
        return delay.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : delay;
    }

    private void onWriter(Runnable task) {
        try {
            writer.execute(task);
        } catch (RejectedExecutionException closed) {
            // close() made its last attempt already; what is left it logged as lost.
        }
    }

    private static void abandoned(PendingEnd end, String why) {
        log.error("event=session_write_abandoned stream={} started_at={} end_reason={} failed_attempts={} why=\"{}\"",
                end.streamId, end.report.startedAt(), end.report.endReason().wireName(), end.failures, why);
    }

    /** On the writer thread, last: every session end still unwritten is tried once more, then given up. */
    private void lastAttempts() {
        closing = true;
        List<PendingEnd> left = new ArrayList<>(pendingEnds.keySet());
        pendingEnds.values().forEach(Timers.Cancellable::cancel);
        pendingEnds.clear();
        for (PendingEnd end : left) {
            if (!writeEnd(end)) {
                abandoned(end, "the server stopped before it could be written; the next start closes it as interrupted");
            }
        }
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
                platform.codecRules(d.videoCodecs()), new TrackSelection(d.videoTrack(), d.audioTrack()));
    }

    /**
     * Finishes the pending writes (shutdown: nothing half-written), session ends that failed
     * before tried once more, waiting up to 2 s in all.
     */
    @Override
    public void close() {
        if (writer.isShutdown()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            writer.submit(this::lastAttempts).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.warn("event=session_write_failed stage=close error=\"{}\"", e.getMessage());
        }
        writer.shutdown();
        try {
            writer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
