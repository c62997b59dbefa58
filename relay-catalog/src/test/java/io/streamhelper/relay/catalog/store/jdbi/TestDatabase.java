package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;

/** A real SQLite database in a test's temporary directory, with a clock the test moves. */
final class TestDatabase {
    static final String HEX_KEY = "4f1c2b7a9e3d5c6b8a0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69";

    private TestDatabase() {
    }

    static Database open(Path dataDir, Clock clock) {
        return Database.open(DatabaseSettings.sqlite(dataDir), SecretBox.fromHexKey(HEX_KEY), clock);
    }

    /** A second, raw connection, for what a user with the sqlite3 tool could do to the file. */
    static Connection raw(Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(DatabaseSettings.SQLITE_FILE_NAME));
    }
}
