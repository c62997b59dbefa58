package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One test database on the JVM's PostgreSQL (relay-testkit's PostgresServer) that several nodes
 * share: each {@link #node()} is a {@link Database} of its own on it, as another machine's would be.
 * What an operator could do with psql (kill a backend, send a raw NOTIFY) is here too.
 */
final class BusDatabase implements AutoCloseable {
    final PostgresServer server = PostgresServer.shared();
    final PostgresServer.TestDatabase db = server.createDatabase();
    final DatabaseSettings settings = DatabaseSettings.postgresql(db.jdbcUrl(), db.user(), db.password());
    private final String encryptionKey = TestKeys.encryptionKeyHex();
    private final List<AutoCloseable> opened = new ArrayList<>();

    Database node() {
        Database database = Database.open(settings, SecretBox.fromHexKey(encryptionKey));
        opened.add(database);
        return database;
    }

    /** Closed with this, before the databases (last opened, first closed). */
    <T extends AutoCloseable> T closing(T resource) {
        opened.add(resource);
        return resource;
    }

    /** pg_terminate_backend, as an operator or a failover would: the listening session is gone. */
    void terminate(int pid) throws SQLException {
        try (Connection admin = server.superuserConnection(db.name());
             PreparedStatement sql = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
            sql.setInt(1, pid);
            sql.executeQuery().close();
        }
    }

    /** A NOTIFY with any text, not through a bus. */
    void rawNotify(String payload) throws SQLException {
        try (Connection admin = server.superuserConnection(db.name());
             PreparedStatement sql = admin.prepareStatement("SELECT pg_notify(?, ?)")) {
            sql.setString(1, PgClusterBus.CHANNEL);
            sql.setString(2, payload);
            sql.executeQuery().close();
        }
    }

    /** Whether a server process with this pid is still connected to the database. */
    boolean backendAlive(int pid) throws SQLException {
        try (Connection admin = server.superuserConnection(db.name());
             PreparedStatement sql = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            sql.setInt(1, pid);
            try (var rows = sql.executeQuery()) {
                rows.next();
                return rows.getInt(1) > 0;
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}
