package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.TestKeys;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node whose cluster start fails (its first heartbeat is refused by the database) is closed
 * like everything else the start opened: its cluster membership is left (threads stopped, leases
 * and row given up), not abandoned because it was registered only after a start that succeeded.
 */
class ClusterStartFailureTest {
    @Test
    void aClusterNodeWhoseStartFailsIsClosedWithTheRestOfTheFailedStart() throws Exception {
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        String encryptionKey = TestKeys.encryptionKeyHex();
        // Migrated first (as a node that ran before), then the database refuses every heartbeat.
        Database.open(new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), 2), SecretBox.fromHexKey(encryptionKey)).close();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); Statement sql = c.createStatement()) {
            sql.execute("CREATE FUNCTION refuse_heartbeat() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN RAISE EXCEPTION 'heartbeats refused by the test'; END $$");
            sql.execute("CREATE TRIGGER refuse_heartbeat BEFORE INSERT OR UPDATE ON relay_nodes"
                    + " FOR EACH ROW EXECUTE FUNCTION refuse_heartbeat()");
        }
        LogLines log = new LogLines().attach();
        try {
            RelayConfig config = TestRelayConfig.with("RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                    "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", encryptionKey, "RELAY_NODE_ID", "node-failing");
            RuntimeException refused = assertThrows(RuntimeException.class,
                    () -> RelayServer.start(config, new StaticStreamCatalog(List.of())).close());
            assertTrue(refused.getMessage().contains("heartbeat"), refused.getMessage());
            assertEquals(1, log.containing("event=cluster_left node=node-failing").size(),
                    "the failed start closed the cluster node: " + log.containing("cluster"));
        } finally {
            log.detach();
        }
    }
}
