package io.streamhelper.relay.api;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Whether a request failed because the database cannot be reached (down, restarting, refusing
 * connections), as opposed to any other failure: that one is the client's to retry, a 503 with
 * Retry-After, and not an internal error. Read from the cause chain: the pool's checkout timeout
 * (SQLTransientConnectionException) or a JDBC connection-class SQLState (08: connection
 * exception; 57P01-57P03: the server shutting down or not yet accepting connections).
 */
final class DatabaseGone {
    private DatabaseGone() {
    }

    static boolean causes(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[123]"))) {
                return true;
            }
        }
        return false;
    }
}
