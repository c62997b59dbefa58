package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.session.EndReason;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node in the cluster: its heartbeat, its fencing, and its answer to another node asking
 * for a stream. The heartbeat ({@link #HEARTBEAT_EVERY}) writes this node's row with the status
 * JSON the supplier gives; it is the one writer of that row. If no heartbeat has succeeded for
 * {@link #FENCE_AFTER} (this node's monotonic clock), others will soon count this node dead
 * ({@link ClusterOwnership#EXPIRY}, the database's clock) and may take its streams: so it ends
 * every stream here ({@link EndReason#FENCED}) before they can, and refuses claims until a
 * heartbeat succeeds again, after giving up every lease it still had on record.
 *
 * <p>Threads: the schedule ({@link Timers}: a scheduler thread, or virtual time in tests) only
 * decides; the database is written on {@code heartbeats} (one thread), so a heartbeat stuck on an
 * unreachable database never delays the fence. A RELEASE is answered on {@code answers} (one
 * thread), since letting a stream go waits up to 2 s for its destinations to unpublish.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);
    public static final Duration FENCE_AFTER = Duration.ofSeconds(8);
    /** How long a claim while fenced waits for the heartbeat it asked for. */
    static final Duration RECOVERY_WAIT = Duration.ofSeconds(2);

    /** What the node does to the streams it relays: the registry, seen through the three calls the cluster makes. */
    public interface Streams {
        /** Ends the stream as MOVED if it waits here in its grace; returns once its lease is given back. */
        boolean moved(String streamId);

        boolean isHere(String streamId);

        void endAll(EndReason reason);

        static Streams of(StreamRegistry registry) {
            return new Streams() {
                @Override
                public boolean moved(String streamId) {
                    return registry.moved(streamId);
                }

                @Override
                public boolean isHere(String streamId) {
                    return registry.liveStream(streamId).isPresent();
                }

                /**
                 * The streams that hold leases: a stream of the streams file holds none (no other
                 * node can take it), and needs no database to go on.
                 */
                @Override
                public void endAll(EndReason reason) {
                    registry.endAll(reason, ClusterOwnership::takesLease);
                }
            };
        }
    }

    private final String nodeId;
    private final ClusterStore store;
    private final ClusterOwnership ownership;
    private final ClusterBus bus;
    private final Streams streams;
    private final Supplier<String> status;
    private final Timers timers;
    private final Executor heartbeats;
    private final Executor answers;

    // Guarded by this: written by the heartbeat thread and the schedule.
    private long lastSuccessNanos;
    private boolean fenced;
    private boolean beating;
    private boolean closed;
    private Timers.Cancellable nextBeat;
    private Timers.Cancellable fence;
    /** The threads this node made ({@link #create}), stopped by {@link #close}; empty when given them. */
    private final java.util.List<ExecutorService> ownThreads = new java.util.ArrayList<>();

    public ClusterNode(ClusterStore store, ClusterOwnership ownership, ClusterBus bus, Streams streams,
            Supplier<String> status, Timers timers, Executor heartbeats, Executor answers) {
        this.nodeId = ownership.nodeId();
        this.store = Objects.requireNonNull(store, "store");
        this.ownership = ownership;
        this.bus = Objects.requireNonNull(bus, "bus");
        this.streams = Objects.requireNonNull(streams, "streams");
        this.status = Objects.requireNonNull(status, "status");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
        this.answers = Objects.requireNonNull(answers, "answers");
    }

    /**
     * The server's node: the schedule on {@code cluster-heartbeat-schedule}, heartbeats on
     * {@code cluster-heartbeat}, RELEASE answers on {@code cluster-release}.
     */
    public static ClusterNode create(ClusterStore store, ClusterOwnership ownership, ClusterBus bus, Streams streams,
            Supplier<String> status) {
        ScheduledExecutorService schedule = ClusterThreads.scheduler("cluster-heartbeat-schedule");
        ExecutorService heartbeats = ClusterThreads.single("cluster-heartbeat");
        ExecutorService answers = ClusterThreads.single("cluster-release");
        ClusterNode node = new ClusterNode(store, ownership, bus, streams, status, ClusterThreads.on(schedule), heartbeats,
                answers);
        node.ownThreads.addAll(java.util.List.of(schedule, heartbeats, answers));
        return node;
    }

    /**
     * Leases left from before a crash of this same node id are stale (nothing is live here yet):
     * given up, then the first heartbeat; then the schedule runs. Throws if the database refuses,
     * so the server does not start half in the cluster.
     */
    public void start() {
        ownership.releaseAll();
        store.heartbeat(nodeId, statusNow());
        bus.listen(ownership);
        bus.listen(ClusterBus.listener(this::notice));
        ownership.recovery(this::recoverNow);
        synchronized (this) {
            lastSuccessNanos = timers.nanoTime();
            armFence();
            nextBeat = timers.after(HEARTBEAT_EVERY, this::tick);
        }
        log.info("event=cluster_joined node={}", nodeId);
    }

    /** On the schedule: start a heartbeat unless one is still running; a fenced node ends whatever got in meanwhile. */
    private void tick() {
        boolean start;
        boolean isFenced;
        synchronized (this) {
            if (closed) {
                return;
            }
            nextBeat = timers.after(HEARTBEAT_EVERY, this::tick);
            start = !beating;
            beating = true;
            isFenced = fenced;
        }
        if (isFenced) {
            streams.endAll(EndReason.FENCED);
        }
        if (start) {
            try {
                heartbeats.execute(this::beat);
            } catch (RuntimeException rejected) {
                synchronized (this) {
                    beating = false;
                }
            }
        }
    }

    /**
     * A claim while fenced: a heartbeat now (or the one under way) rather than at the next tick,
     * waited for at most {@link #RECOVERY_WAIT}; whether the node is unfenced after it. On the
     * claim's thread (catalog-read), which may block that long.
     */
    boolean recoverNow() {
        boolean start;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (!fenced) {
                return true;
            }
            start = !beating;
            beating = true;
        }
        if (start) {
            try {
                heartbeats.execute(this::beat);
            } catch (RuntimeException rejected) {
                synchronized (this) {
                    beating = false;
                    notifyAll();
                }
                return false;
            }
        }
        synchronized (this) {
            long until = System.nanoTime() + RECOVERY_WAIT.toNanos();
            while (beating && System.nanoTime() < until) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !fenced;
        }
    }

    /** On the heartbeat thread. */
    private void beat() {
        boolean wasFenced;
        synchronized (this) {
            wasFenced = fenced;
        }
        try {
            synchronized (this) {
                if (closed) {
                    return; // after leave(): a heartbeat now would put the row back
                }
            }
            if (wasFenced) {
                // Before the heartbeat makes this node alive again: its leases on record would come
                // back valid, and every stream ended by the fence would look live here.
                ownership.releaseAll();
            }
            store.heartbeat(nodeId, statusNow());
            synchronized (this) {
                lastSuccessNanos = timers.nanoTime();
                if (!closed) {
                    armFence();
                }
                if (fenced) {
                    fenced = false;
                    ownership.fenced(false);
                    log.info("event=cluster_unfenced node={}", nodeId);
                }
            }
        } catch (RuntimeException e) {
            log.warn("event=heartbeat_failed node={} error=\"{}\"", nodeId, e.getMessage());
        } finally {
            synchronized (this) {
                beating = false;
                notifyAll();
            }
        }
    }

    /** Under the lock: the fence falls due {@link #FENCE_AFTER} after the last success. */
    private void armFence() {
        if (fence != null) {
            fence.cancel();
        }
        fence = timers.after(FENCE_AFTER, this::fenceDue);
    }

    private void fenceDue() {
        long silentNanos;
        synchronized (this) {
            silentNanos = timers.nanoTime() - lastSuccessNanos;
            if (closed || fenced || silentNanos < FENCE_AFTER.toNanos()) {
                return;
            }
            fenced = true;
            ownership.fenced(true);
        }
        log.warn("event=cluster_fenced node={} silent_ms={}", nodeId, Duration.ofNanos(silentNanos).toMillis());
        streams.endAll(EndReason.FENCED);
    }

    public synchronized boolean isFenced() {
        return fenced;
    }

    /** Whether a heartbeat is being written now (tests). */
    synchronized boolean isBeating() {
        return beating;
    }

    private String statusNow() {
        try {
            String s = status.get();
            return s == null ? "{}" : s;
        } catch (RuntimeException e) {
            log.warn("event=node_status_failed error=\"{}\"", e.getMessage());
            return "{}";
        }
    }

    /** The bus's thread: a RELEASE for this node is answered on {@code answers}, never here. */
    private void notice(ClusterNotice notice) {
        if (notice.kind() != ClusterNotice.Kind.RELEASE || nodeId.equals(notice.from())
                || !notice.to().map(nodeId::equals).orElse(false)) {
            return;
        }
        try {
            answers.execute(() -> answerRelease(notice));
        } catch (RuntimeException rejected) {
            log.debug("event=release_dropped stream={} reason=closed", notice.streamId());
        }
    }

    /**
     * Another node has the stream's encoder. Reconnecting here: it ends as MOVED, its
     * destinations unpublish, its lease goes, and only then RELEASED (the asker then publishes to
     * the same destinations). Live here: nothing (the asker's claim sees "live" and refuses). Not
     * here: a lease row of ours left behind goes, and RELEASED.
     */
    private void answerRelease(ClusterNotice notice) {
        String id = String.valueOf(notice.streamId());
        ClusterNotice released = ClusterNotice.to(notice.from(), ClusterNotice.Kind.RELEASED, notice.streamId(), nodeId);
        try {
            if (streams.moved(id)) {
                log.info("event=stream_moved stream={} to={}", id, notice.from());
                ownership.afterWrites(() -> bus.send(released));
            } else if (!streams.isHere(id)) {
                ownership.releaseIfNotHeld(notice.streamId(), () -> bus.send(released));
            }
        } catch (RuntimeException e) {
            log.warn("event=release_answer_failed stream={} error=\"{}\"", id, e.getMessage());
        }
    }

    /**
     * After the streams here ended (the server's close): every lease given up and this node's row
     * removed, so other nodes stop counting it at once instead of after the expiry.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (nextBeat != null) {
                nextBeat.cancel();
            }
            if (fence != null) {
                fence.cancel();
            }
            // A heartbeat under way would write the row again after leave(): let it finish first.
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (beating && System.nanoTime() < until) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        ownThreads.forEach(ClusterThreads::stop);
        try {
            ownership.releaseAll();
            store.leave(nodeId);
            log.info("event=cluster_left node={}", nodeId);
        } catch (RuntimeException e) {
            log.warn("event=cluster_leave_failed node={} error=\"{}\"", nodeId, e.getMessage());
        }
    }
}
