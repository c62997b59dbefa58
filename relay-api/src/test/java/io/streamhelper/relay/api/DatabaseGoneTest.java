package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.StoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures are the database being gone (503, retry) and which are not (500). DatabaseLossTest sees the real ones. */
class DatabaseGoneTest {
    @Test
    void theCauseChainDecides() {
        assertTrue(DatabaseGone.causes(new StoreException("could not look up a session",
                new RuntimeException(new SQLTransientConnectionException("relay-db - Connection is not available")))));
        assertTrue(DatabaseGone.causes(new StoreException("x", new SQLException("Connection refused", "08001"))));
        assertTrue(DatabaseGone.causes(new SQLException("terminating connection due to administrator command", "57P01")));
        assertTrue(DatabaseGone.causes(new SQLException("the database system is starting up", "57P03")));
        assertFalse(DatabaseGone.causes(new StoreException("a ciphertext that does not open", new SecurityException())));
        assertFalse(DatabaseGone.causes(new SQLException("duplicate key", "23505")));
        assertFalse(DatabaseGone.causes(new IllegalStateException("a bug")));
    }
}
