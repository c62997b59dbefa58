package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.catalog.store.ClusterStore.Lease;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.registry.StreamOwnership;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's stream leases (the contract's claim protocol). Every lease write (claim, state,
 * release) runs on one writer thread, in the order asked: a stream that ends here and opens here
 * again at once gives its lease back and takes it again in that order, never the other way round.
 * The writer counts how many of this node's live streams each lease stands for (a stream ending
 * while its successor already opened here), and gives a lease back only when none does.
 *
 * <p>A claim of a stream whose holder is alive but reconnecting sends that node {@code RELEASE}
 * and tries again every {@link #RETRY} (at once on a {@code RELEASED} notice) for up to
 * {@link #CLAIM_WAIT}: the caller (a catalog-read thread) waits, bounded. Time is {@link Timers}:
 * virtual in tests. While {@linkplain #fenced fenced} (the database lost long enough that others
 * may take this node's streams), every claim is refused.
 */
public final class ClusterOwnership implements StreamOwnership, ClusterBus.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterOwnership.class);
    /** A node is alive while its heartbeat is younger than this (database clock). */
    public static final Duration EXPIRY = Duration.ofSeconds(10);
    static final Duration CLAIM_WAIT = Duration.ofSeconds(3);
    static final Duration RETRY = Duration.ofMillis(200);
    /** Bounds a wait for the writer, should a statement hang past every driver timeout. */
    private static final long WRITER_WAIT_MS = 15_000;
    /**
     * A claim's wait for one statement on the writer: the publish it decides is closed by the
     * ingest 5 s after connect anyway (RELAY_PUBLISH_DEADLINE_MS), so a writer stuck behind
     * writes to an unreachable database answers "try again" before that.
     */
    private static final long CLAIM_WRITER_WAIT_MS = 4_000;

    private final ClusterStore store;
    private final ClusterBus bus;
    private final String nodeId;
    private final Timers timers;
    private final ExecutorService writer;
    /** Streams held here, by id: how many local streams stand on each lease. Writer thread only. */
    private final Map<Long, Integer> holds = new HashMap<>();
    /** Claims waiting for a lease, by stream id: a RELEASED notice wakes them. */
    private final Map<Long, Set<Semaphore>> waiting = new ConcurrentHashMap<>();
    private volatile boolean fenced;
    /** Asked by a claim while fenced: the node tries a heartbeat now (bounded) and says whether it is back. */
    private volatile java.util.function.BooleanSupplier recovery = () -> false;
    /** The claim timer's thread, when this ownership made it ({@link #create}); null when given Timers. */
    private final ScheduledExecutorService timerThread;

    /** With the given timers (tests: virtual time); the writer is a thread of its own. */
    public ClusterOwnership(ClusterStore store, ClusterBus bus, String nodeId, Timers timers) {
        this(store, bus, nodeId, timers, null);
    }

    private ClusterOwnership(ClusterStore store, ClusterBus bus, String nodeId, Timers timers,
            ScheduledExecutorService timerThread) {
        this.store = Objects.requireNonNull(store, "store");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.timerThread = timerThread;
        this.writer = ClusterThreads.single("cluster-lease-writer");
    }

    /** The server's: its claim waits timed on a thread of its own ({@code cluster-claim-timer}). */
    public static ClusterOwnership create(ClusterStore store, ClusterBus bus, String nodeId) {
        ScheduledExecutorService timer = ClusterThreads.scheduler("cluster-claim-timer");
        return new ClusterOwnership(store, bus, nodeId, ClusterThreads.on(timer), timer);
    }

    public String nodeId() {
        return nodeId;
    }

    @Override
    public Claim claim(String streamId) {
        Long id = databaseId(streamId);
        if (id == null) {
            return Claim.OWNED; // a stream of the streams file: this node's own
        }
        if (fenced && !recovery.getAsBoolean()) {
            return Claim.UNAVAILABLE;
        }
        Semaphore wake = new Semaphore(0);
        waiting.computeIfAbsent(id, k -> new CopyOnWriteArraySet<>()).add(wake);
        try {
            return claim(id, wake);
        } catch (RuntimeException e) {
            log.warn("event=stream_claim_failed stream={} error=\"{}\"", id, e.getMessage());
            return Claim.UNAVAILABLE;
        } finally {
            waiting.computeIfPresent(id, (k, set) -> {
                set.remove(wake);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private Claim claim(long id, Semaphore wake) {
        long deadline = timers.nanoTime() + CLAIM_WAIT.toNanos();
        String asked = null;
        while (true) {
            Lease lease = claimOnWriter(id);
            if (nodeId.equals(lease.nodeId())) {
                if (fenced) {
                    released(String.valueOf(id)); // fenced while claiming: not ours to relay
                    return Claim.UNAVAILABLE;
                }
                if (asked != null) {
                    log.info("event=stream_taken_over stream={} from={}", id, asked);
                }
                return Claim.OWNED;
            }
            if (Lease.LIVE.equals(lease.state())) {
                return Claim.LIVE_ELSEWHERE;
            }
            // Alive and reconnecting there: ask it to let go, then wait for it.
            if (!lease.nodeId().equals(asked)) {
                asked = lease.nodeId();
                log.info("event=stream_release_asked stream={} holder={}", id, asked);
                bus.send(ClusterNotice.to(asked, ClusterNotice.Kind.RELEASE, id, nodeId));
            }
            long left = deadline - timers.nanoTime();
            if (left <= 0) {
                log.warn("event=stream_release_timed_out stream={} holder={}", id, asked);
                return Claim.UNAVAILABLE;
            }
            Timers.Cancellable retry = timers.after(Duration.ofNanos(Math.min(RETRY.toNanos(), left)), wake::release);
            try {
                wake.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Claim.UNAVAILABLE;
            } finally {
                retry.cancel();
            }
            wake.drainPermits();
        }
    }

    /**
     * One claim statement on the writer, waited for at most {@link #CLAIM_WRITER_WAIT_MS}. A claim
     * given up on (the writer was stuck behind an unreachable database) that wins afterwards
     * must not leave a lease nobody here stands on: whichever of the two comes second, the
     * statement's end or the caller's giving up, decides (0 pending, 1 taken, 2 given up).
     */
    private Lease claimOnWriter(long id) {
        AtomicInteger outcome = new AtomicInteger();
        Future<Lease> result = writer.submit(() -> {
            Lease l = store.claim(id, nodeId, EXPIRY);
            if (nodeId.equals(l.nodeId())) {
                if (outcome.compareAndSet(0, 1)) {
                    holds.merge(id, 1, Integer::sum);
                } else if (!holds.containsKey(id)) {
                    store.release(id, nodeId);
                }
            }
            return l;
        });
        try {
            return result.get(CLAIM_WRITER_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (outcome.compareAndSet(0, 2)) {
                result.cancel(false);
                throw new IllegalStateException("the lease writer did not answer in time", e);
            }
            return await(result); // it won just now and counted the hold: the answer is a moment away
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            outcome.compareAndSet(0, 2);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the lease writer", e);
        }
    }

    private static <T> T await(Future<T> result) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the lease writer", e);
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    @Override
    public void stateChanged(String streamId, StreamState state) {
        Long id = databaseId(streamId);
        if (id == null || (state != StreamState.LIVE && state != StreamState.RECONNECTING)) {
            return;
        }
        String leaseState = state == StreamState.LIVE ? Lease.LIVE : Lease.RECONNECTING;
        write("set the lease state of stream " + id, () -> {
            if (holds.containsKey(id)) {
                store.setState(id, nodeId, leaseState);
            }
        });
    }

    @Override
    public void released(String streamId) {
        Long id = databaseId(streamId);
        if (id == null) {
            return;
        }
        write("release stream " + id, () -> {
            Integer left = holds.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
            if (left == null) {
                store.release(id, nodeId);
            }
        });
    }

    /**
     * A RELEASE for a stream that is not here: a lease row of this node left behind (a release
     * that failed) is given back, unless a stream here stands on it; then {@code after} runs, on
     * the writer, once that is written.
     */
    void releaseIfNotHeld(long id, Runnable after) {
        write("release the stale lease of stream " + id, () -> {
            if (!holds.containsKey(id)) {
                store.release(id, nodeId);
            }
        });
        afterWrites(after);
    }

    /** Runs {@code task} on the writer after every lease write asked for before it. */
    void afterWrites(Runnable task) {
        write("notify", task::run);
    }

    /** Waits until every lease write asked for before has run (tests, and a shutdown that must see them done). */
    void flushWrites() {
        onWriter(() -> null);
    }

    /** Gives up every lease of this node, waiting for it (start-up, recovery from fencing, shutdown). */
    void releaseAll() {
        onWriter(() -> {
            store.releaseAll(nodeId);
            return null;
        });
    }

    /** Set by {@link ClusterNode}: while fenced every claim is refused. */
    void fenced(boolean value) {
        fenced = value;
    }

    /**
     * Set by {@link ClusterNode}: how a claim while fenced asks for a heartbeat at once, so the
     * first publish after the database came back need not wait for the next scheduled one.
     */
    void recovery(java.util.function.BooleanSupplier tryNow) {
        recovery = Objects.requireNonNull(tryNow, "tryNow");
    }

    public boolean isFenced() {
        return fenced;
    }

    /** The bus: a RELEASED addressed here wakes the claims waiting for that stream. */
    @Override
    public void notice(ClusterNotice notice) {
        if (notice.kind() == ClusterNotice.Kind.RELEASED && notice.to().map(nodeId::equals).orElse(false)) {
            Set<Semaphore> claims = waiting.get(notice.streamId());
            if (claims != null) {
                claims.forEach(Semaphore::release);
            }
        }
    }

    private <T> T onWriter(Callable<T> work) {
        Future<T> result = writer.submit(work);
        try {
            return result.get(WRITER_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the lease writer", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the lease writer did not answer in time", e);
        }
    }

    /** Queued, never waited for: a failed write is logged (the lease expires with the heartbeat anyway). */
    private void write(String what, Runnable work) {
        try {
            writer.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.warn("event=lease_write_failed what=\"{}\" error=\"{}\"", what, e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            log.debug("event=lease_write_dropped what=\"{}\" reason=closed", what);
        }
    }

    /** Whether the stream takes a lease: a database stream (a numeric id), not one of the streams file. */
    public static boolean takesLease(String streamId) {
        return databaseId(streamId) != null;
    }

    /** A database stream's id; null for a stream of the streams file (ids that are not numbers), which takes no lease. */
    private static Long databaseId(String streamId) {
        if (streamId.isEmpty() || streamId.length() > 18 || !streamId.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Long.parseLong(streamId);
    }

    /** Lets the queued writes finish (bounded), then stops the writer. */
    @Override
    public void close() {
        ClusterThreads.stop(writer);
        if (timerThread != null) {
            timerThread.shutdownNow();
        }
    }
}
