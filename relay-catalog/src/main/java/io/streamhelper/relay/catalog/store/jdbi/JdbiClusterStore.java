package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.ClusterStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The cluster tables on PostgreSQL. Every time is the database's {@code clock_timestamp()} (not
 * {@code now()}, which is the transaction's start): a node's own clock never enters a comparison,
 * so nodes whose clocks disagree still agree on who is alive. SQLite has no cluster (one node per
 * file): {@link #unsupported()}.
 */
public final class JdbiClusterStore implements ClusterStore {
    /** The database's time in epoch milliseconds, at the moment the statement reads it. */
    private static final String NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
    /** Whether the node named by the column before it heartbeats within :expiry. */
    private static final String ALIVE = "EXISTS (SELECT 1 FROM relay_nodes n WHERE n.node_id = %s AND n.heartbeat_at > "
            + NOW + " - :expiry)";
    /** How many times a claim that found no row after a conflict (released in between) is tried again. */
    private static final int CLAIM_ATTEMPTS = 3;

    private final Jdbi jdbi;

    public JdbiClusterStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** For a database that cannot be shared between nodes (SQLite): nothing may call it. */
    public static ClusterStore unsupported() {
        return new Unsupported();
    }

    private static final class Unsupported implements ClusterStore {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("several relay nodes need PostgreSQL (RELAY_DATABASE_URL)");
        }

        @Override
        public long heartbeat(String nodeId, String status) {
            throw refused();
        }

        @Override
        public List<NodeRow> aliveNodes(Duration expiry) {
            throw refused();
        }

        @Override
        public Lease claim(long streamId, String nodeId, Duration expiry) {
            throw refused();
        }

        @Override
        public Optional<Lease> lease(long streamId, Duration expiry) {
            throw refused();
        }

        @Override
        public void setState(long streamId, String nodeId, String state) {
            throw refused();
        }

        @Override
        public void release(long streamId, String nodeId) {
            throw refused();
        }

        @Override
        public void releaseAll(String nodeId) {
            throw refused();
        }

        @Override
        public java.util.Set<Long> heldByOthers(String nodeId, Duration expiry) {
            throw refused();
        }

        @Override
        public void leave(String nodeId) {
            throw refused();
        }
    }

    @Override
    public long heartbeat(String nodeId, String status) {
        return Sql.guard("write the heartbeat of node " + nodeId, () -> jdbi.withHandle(handle -> handle
                .createQuery("INSERT INTO relay_nodes (node_id, started_at, heartbeat_at, status)"
                        + " VALUES (:node, " + NOW + ", " + NOW + ", :status)"
                        + " ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, status = EXCLUDED.status"
                        + " RETURNING heartbeat_at")
                .bind("node", nodeId)
                .bind("status", status)
                .mapTo(Long.class)
                .one()));
    }

    @Override
    public List<NodeRow> aliveNodes(Duration expiry) {
        return Sql.guard("list the alive nodes", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT node_id, started_at, t.now - heartbeat_at AS age, status"
                        + " FROM relay_nodes, (SELECT " + NOW + " AS now) t"
                        + " WHERE heartbeat_at > t.now - :expiry ORDER BY node_id")
                .bind("expiry", expiry.toMillis())
                .map((rs, ctx) -> new NodeRow(rs.getString("node_id"), rs.getLong("started_at"),
                        Math.max(0, rs.getLong("age")), rs.getString("status")))
                .list()));
    }

    /**
     * The one statement that decides: PostgreSQL locks the conflicting row, so of two nodes
     * claiming at once the second sees the first's row and its WHERE keeps it (the first is
     * alive). Nothing returned means the row is another's: it is read, to say whose.
     */
    @Override
    public Lease claim(long streamId, String nodeId, Duration expiry) {
        return Sql.guard("claim stream " + streamId + " for node " + nodeId, () -> jdbi.withHandle(handle -> {
            for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
                Optional<Lease> taken = handle.createQuery("INSERT INTO stream_leases (stream_id, node_id, state, since)"
                                + " VALUES (:stream, :node, '" + Lease.LIVE + "', " + NOW + ")"
                                + " ON CONFLICT (stream_id) DO UPDATE SET node_id = EXCLUDED.node_id,"
                                + " state = EXCLUDED.state, since = EXCLUDED.since"
                                + " WHERE stream_leases.node_id = EXCLUDED.node_id OR NOT "
                                + String.format(ALIVE, "stream_leases.node_id")
                                + " RETURNING stream_id, node_id, state, " + String.format(ALIVE, "stream_leases.node_id")
                                + " AS alive")
                        .bind("stream", streamId)
                        .bind("node", nodeId)
                        .bind("expiry", expiry.toMillis())
                        .map((rs, ctx) -> lease(rs))
                        .findOne();
                if (taken.isPresent()) {
                    return taken.get();
                }
                Optional<Lease> other = read(handle, streamId, expiry);
                if (other.isPresent()) {
                    return other.get();
                }
                // Released between the two statements: try again.
            }
            throw new IllegalStateException("the lease of stream " + streamId + " changed hands " + CLAIM_ATTEMPTS + " times in a row");
        }));
    }

    @Override
    public Optional<Lease> lease(long streamId, Duration expiry) {
        return Sql.guard("read the lease of stream " + streamId, () -> jdbi.withHandle(handle -> read(handle, streamId, expiry)));
    }

    private static Optional<Lease> read(Handle handle, long streamId, Duration expiry) {
        return handle.createQuery("SELECT stream_id, node_id, state, " + String.format(ALIVE, "l.node_id") + " AS alive"
                        + " FROM stream_leases l WHERE stream_id = :stream")
                .bind("stream", streamId)
                .bind("expiry", expiry.toMillis())
                .map((rs, ctx) -> lease(rs))
                .findOne();
    }

    private static Lease lease(ResultSet rs) throws SQLException {
        return new Lease(rs.getLong("stream_id"), rs.getString("node_id"), rs.getString("state"), rs.getBoolean("alive"));
    }

    @Override
    public void setState(long streamId, String nodeId, String state) {
        if (!Lease.LIVE.equals(state) && !Lease.RECONNECTING.equals(state)) {
            throw new IllegalArgumentException("a lease is live or reconnecting, not " + state);
        }
        Sql.guardRun("set the lease state of stream " + streamId, () -> jdbi.useHandle(handle -> handle
                .createUpdate("UPDATE stream_leases SET state = :state, since = " + NOW
                        + " WHERE stream_id = :stream AND node_id = :node")
                .bind("state", state)
                .bind("stream", streamId)
                .bind("node", nodeId)
                .execute()));
    }

    @Override
    public void release(long streamId, String nodeId) {
        Sql.guardRun("release stream " + streamId, () -> jdbi.useHandle(handle -> handle
                .createUpdate("DELETE FROM stream_leases WHERE stream_id = :stream AND node_id = :node")
                .bind("stream", streamId)
                .bind("node", nodeId)
                .execute()));
    }

    @Override
    public void releaseAll(String nodeId) {
        Sql.guardRun("release the streams of node " + nodeId, () -> jdbi.useHandle(handle -> handle
                .createUpdate("DELETE FROM stream_leases WHERE node_id = :node")
                .bind("node", nodeId)
                .execute()));
    }

    @Override
    public java.util.Set<Long> heldByOthers(String nodeId, Duration expiry) {
        return Sql.guard("read the streams other nodes hold", () -> jdbi.withHandle(handle -> java.util.Set.copyOf(handle
                .createQuery("SELECT stream_id FROM stream_leases l WHERE l.node_id <> :node AND "
                        + String.format(ALIVE, "l.node_id"))
                .bind("node", nodeId)
                .bind("expiry", expiry.toMillis())
                .mapTo(Long.class)
                .list())));
    }

    @Override
    public void leave(String nodeId) {
        Sql.guardRun("remove node " + nodeId, () -> jdbi.useHandle(handle -> handle
                .createUpdate("DELETE FROM relay_nodes WHERE node_id = :node")
                .bind("node", nodeId)
                .execute()));
    }
}
