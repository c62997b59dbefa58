package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.StoreException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.function.Supplier;
import org.jdbi.v3.core.JdbiException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Small helpers every store shares: error translation and time columns. */
final class Sql {
    private static final String POSTGRES_UNIQUE_VIOLATION = "23505";

    private Sql() {
    }

    /**
     * Runs database work, turning a Jdbi failure into a {@link StoreException} that says what was
     * being done. {@code what} must name ids only: it ends up in logs.
     */
    static <T> T guard(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw new StoreException("could not " + what, e);
        }
    }

    static void guardRun(String what, Runnable work) {
        guard(what, () -> {
            work.run();
            return null;
        });
    }

    /** A UNIQUE or primary-key constraint refused the statement, on SQLite or PostgreSQL. */
    static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite) {
                SQLiteErrorCode code = sqlite.getResultCode();
                return code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                        || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
            }
            if (t instanceof SQLException sql && POSTGRES_UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static Instant instant(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis);
    }

    static int flag(boolean value) {
        return value ? 1 : 0;
    }
}
