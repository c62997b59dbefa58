package io.streamhelper.relay.catalog.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The two cluster tables (V6): node heartbeats and stream leases. Every time in them is the
 * database's clock, compared by the database: a node's own clock is never trusted against
 * another's. Used only when the database is PostgreSQL (several nodes); on SQLite nothing calls it.
 */
public interface ClusterStore {
    /** A node seen alive: its heartbeat is younger than the expiry asked for. */
    record NodeRow(String nodeId, long startedAtMillis, long heartbeatAgeMillis, String status) {
    }

    /** A lease row: who holds the stream, in what state, and whether that node is alive now. */
    record Lease(long streamId, String nodeId, String state, boolean holderAlive) {
        public static final String LIVE = "live";
        public static final String RECONNECTING = "reconnecting";
    }

    /**
     * Inserts or renews this node's row at the database's clock, with its published status;
     * returns the database's time (epoch ms) of the write.
     */
    long heartbeat(String nodeId, String status);

    /** Every node whose heartbeat is younger than {@code expiry}, this one included. */
    List<NodeRow> aliveNodes(Duration expiry);

    /**
     * One statement: takes the stream's lease for {@code nodeId} (state live) if nobody holds it,
     * this node holds it, or its holder's heartbeat is older than {@code expiry}; otherwise
     * changes nothing. Returns the lease as it is after the statement.
     */
    Lease claim(long streamId, String nodeId, Duration expiry);

    /** The lease of this stream, if any row exists (alive holder or not). */
    Optional<Lease> lease(long streamId, Duration expiry);

    /** The holder changes its lease's state (live / reconnecting); a lease it no longer holds is left alone. */
    void setState(long streamId, String nodeId, String state);

    /** Gives the lease up, if this node still holds it. */
    void release(long streamId, String nodeId);

    /** Gives up every lease of this node (start-up after a crash, fencing, clean shutdown). */
    void releaseAll(String nodeId);

    /**
     * The streams whose lease another node holds and which that node, alive, relays now: what a
     * node starting up must not mark offline or interrupted.
     */
    java.util.Set<Long> heldByOthers(String nodeId, Duration expiry);

    /** A clean shutdown: the node's row goes, so others stop counting it at once. */
    void leave(String nodeId);
}
