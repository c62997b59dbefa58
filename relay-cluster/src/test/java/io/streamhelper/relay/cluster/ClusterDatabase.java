package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A fresh database of its own on the test JVM's PostgreSQL server, opened as the server opens
 * it, with one account to own streams; and the operator's two ways of taking it away from its
 * clients for a while (connections refused, the open ones ended) and giving it back.
 */
final class ClusterDatabase implements AutoCloseable {
    private static final String HEX_KEY = "4f1c2b7a9e3d5c6b8a0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69";

    final PostgresServer server = PostgresServer.shared();
    final PostgresServer.TestDatabase db = server.createDatabase();
    final Database database = Database.open(new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), 4),
            SecretBox.fromHexKey(HEX_KEY));
    private final long owner = database.users().register("owner@example.com", "hash").id();

    /** A new stream of the database; its id as the engine names it. */
    long stream() {
        return database.streams().create(owner, "s", Secret.of(TestKeys.ingest())).id();
    }

    /** The database refuses new connections and ends the open ones: to its clients it is gone. */
    void cut() throws SQLException {
        try (Connection admin = server.superuserConnection("postgres"); Statement sql = admin.createStatement()) {
            sql.execute("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
            sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name() + "'");
        }
    }

    void restore() throws SQLException {
        try (Connection admin = server.superuserConnection("postgres"); Statement sql = admin.createStatement()) {
            sql.execute("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
        }
    }

    @Override
    public void close() {
        database.close();
    }
}
