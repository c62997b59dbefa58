package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.catalog.store.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other alive nodes and the streams they relay, as they published them with their heartbeats
 * ({@code relay_nodes.status}): how this node's API answers for the whole service. Read from the
 * database at most once a second ({@link #MAX_AGE}) however many requests ask, never on a
 * request's thread: the request that finds the copy too old starts a read on the view's own
 * thread and, like every request meanwhile, answers from the copy it has. So no request (the
 * anonymous health check among them) waits for a database that hangs. A database that does not
 * answer leaves the view empty (this node then answers for itself only) until it does again. A node whose status cannot be read is still counted alive, with no streams; that is
 * logged once, until its status reads again.
 */
public final class ClusterView implements OtherNodes {
    private static final Logger log = LoggerFactory.getLogger(ClusterView.class);
    /** A node is alive while its heartbeat is younger than this (the cluster contract). */
    public static final Duration ALIVE = Duration.ofSeconds(10);
    /** How old a copy may be before the next request reads again. */
    public static final Duration MAX_AGE = Duration.ofSeconds(1);

    private record Snapshot(Instant readAt, List<Node> nodes, Map<String, RemoteStream> streams) {
        static final Snapshot NONE = new Snapshot(null, List.of(), Map.of());
    }

    private final ClusterStore store;
    private final String self;
    private final Clock clock;
    private final Executor reads;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private Snapshot snapshot = Snapshot.NONE;
    /** Guarded by lock: a read is under way, others keep the copy they have. */
    private boolean reading;
    /** Touched only by the one reading thread (reading is exclusive). */
    private final Set<String> malformedLogged = new HashSet<>();
    private boolean unreachableLogged;

    /** Reads on a daemon thread of its own, which ends when idle for 10 s (nothing to close). */
    public ClusterView(ClusterStore store, String self, Clock clock) {
        this(store, self, clock, readerThread());
    }

    private static Executor readerThread() {
        ThreadPoolExecutor reader = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = new Thread(r, "cluster-view");
            thread.setDaemon(true);
            return thread;
        });
        reader.allowCoreThreadTimeOut(true);
        return reader;
    }

    /** @param reads where the database is read (a test: {@code Runnable::run}, so reads happen in its virtual time) */
    public ClusterView(ClusterStore store, String self, Clock clock, Executor reads) {
        this.store = store;
        this.self = self;
        this.clock = clock;
        this.reads = reads;
    }

    @Override
    public Optional<RemoteStream> stream(String streamId) {
        return Optional.ofNullable(current().streams().get(streamId));
    }

    @Override
    public List<Node> nodes() {
        return current().nodes();
    }

    private Snapshot current() {
        Instant now = clock.instant();
        synchronized (lock) {
            if (reading || (snapshot.readAt() != null && now.isBefore(snapshot.readAt().plus(MAX_AGE)))) {
                return snapshot;
            }
            reading = true;
        }
        try {
            reads.execute(() -> refresh(now));
        } catch (RejectedExecutionException closed) {
            synchronized (lock) {
                reading = false;
            }
        }
        synchronized (lock) {
            return snapshot;
        }
    }

    private void refresh(Instant now) {
        Snapshot next = new Snapshot(now, List.of(), Map.of());
        try {
            next = read(now);
        } finally {
            synchronized (lock) {
                snapshot = next;
                reading = false;
            }
        }
    }

    private Snapshot read(Instant now) {
        List<ClusterStore.NodeRow> rows;
        try {
            rows = store.aliveNodes(ALIVE);
        } catch (RuntimeException e) {
            if (!unreachableLogged) {
                unreachableLogged = true;
                log.warn("event=cluster_view_unavailable note=\"other nodes are left out until the database answers\" error={}",
                        e.getClass().getSimpleName());
            }
            // Read again a second later, not at every request: readAt is set.
            return new Snapshot(now, List.of(), Map.of());
        }
        if (unreachableLogged) {
            unreachableLogged = false;
            log.info("event=cluster_view_restored nodes={}", rows.size());
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, RemoteStream> streams = new HashMap<>();
        Set<String> seen = new HashSet<>();
        // Freshest heartbeat first: a stream two nodes name (a moment while it moves) is the fresher one's.
        List<ClusterStore.NodeRow> freshestFirst = new ArrayList<>(rows);
        freshestFirst.sort(java.util.Comparator.comparingLong(ClusterStore.NodeRow::heartbeatAgeMillis));
        for (ClusterStore.NodeRow row : freshestFirst) {
            if (row.nodeId().equals(self)) {
                continue;
            }
            seen.add(row.nodeId());
            List<RemoteStream> published = published(row);
            nodes.add(new Node(row.nodeId(), row.heartbeatAgeMillis(), published));
            for (RemoteStream stream : published) {
                streams.merge(stream.streamId(), stream, (a, b) -> a);
            }
        }
        malformedLogged.retainAll(seen); // a node that left and comes back malformed is told again
        nodes.sort(java.util.Comparator.comparing(Node::nodeId));
        return new Snapshot(now, List.copyOf(nodes), Map.copyOf(streams));
    }

    private List<RemoteStream> published(ClusterStore.NodeRow row) {
        try {
            List<RemoteStream> streams = NodeStatus.streams(row.nodeId(), row.status());
            malformedLogged.remove(row.nodeId());
            return streams;
        } catch (NodeStatus.Malformed e) {
            if (malformedLogged.add(row.nodeId())) {
                log.warn("event=cluster_status_unreadable node={} problem=\"{}\" note=\"its streams are left out of this node's view\"",
                        row.nodeId(), e.getMessage());
            }
            return List.of();
        }
    }
}
