package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two statements of {@link ClusterStore} that ClusterView needs (heartbeat, aliveNodes), in
 * plain JDBC on a real PostgreSQL with the V6 table, times from the database's clock as the
 * contract has them. A stand-in until hA's JdbiClusterStore (Database.cluster()) is on main: the
 * lead swaps it for that one. Counts the reads, so a test can see the view's cache at work.
 */
final class HeartbeatTable implements ClusterStore {
    private static final String NOW = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
    private final PostgresServer.TestDatabase db;
    final AtomicInteger reads = new AtomicInteger();

    HeartbeatTable(PostgresServer.TestDatabase db) {
        this.db = db;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    @Override
    public long heartbeat(String nodeId, String status) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO relay_nodes (node_id, started_at, heartbeat_at, status) VALUES (?, " + NOW + ", " + NOW + ", ?) "
                        + "ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = " + NOW + ", status = EXCLUDED.status "
                        + "RETURNING heartbeat_at")) {
            s.setString(1, nodeId);
            s.setString(2, status);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes a node's last heartbeat older by {@code by}, as if it had stopped beating. */
    void age(String nodeId, Duration by) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "UPDATE relay_nodes SET heartbeat_at = heartbeat_at - ? WHERE node_id = ?")) {
            s.setLong(1, by.toMillis());
            s.setString(2, nodeId);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<NodeRow> aliveNodes(Duration expiry) {
        reads.incrementAndGet();
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "SELECT node_id, started_at, " + NOW + " - heartbeat_at AS age, status FROM relay_nodes "
                        + "WHERE heartbeat_at > " + NOW + " - ? ORDER BY node_id")) {
            s.setLong(1, expiry.toMillis());
            List<NodeRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new NodeRow(r.getString(1), r.getLong(2), r.getLong(3), r.getString(4)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("cluster read failed: " + e.getSQLState(), e);
        }
    }

    @Override
    public Lease claim(long streamId, String nodeId, Duration expiry) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public Optional<Lease> lease(long streamId, Duration expiry) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public void setState(long streamId, String nodeId, String state) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public void release(long streamId, String nodeId) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public void releaseAll(String nodeId) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public void releaseAllExcept(String nodeId, java.util.Set<Long> keep) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public java.util.Set<Long> heldByOthers(String nodeId, java.time.Duration expiry) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }

    @Override
    public void leave(String nodeId) {
        throw new UnsupportedOperationException("hA's JdbiClusterStore");
    }
}
