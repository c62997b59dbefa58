package io.streamhelper.relay.app;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import java.nio.file.Files;
import java.nio.file.Path;

/** The data directory as found at start: its absolute path, and whether this start created its database. */
record DataDirectory(Path path, boolean newDatabase, boolean newKeyset) {
    DataDirectory {
        path = path.toAbsolutePath().normalize();
    }

    /**
     * Looks before the database and the keyset are opened, since opening creates them.
     * {@code generatesKeyset}: whether the server keeps its keyset in the data directory
     * (neither {@code ENCRYPTION_KEY} nor {@code RELAY_KEYSET_FILE} is set). With PostgreSQL
     * the database is never reported as new here.
     */
    static DataDirectory inspect(Path dataDir, DatabaseSettings database, boolean generatesKeyset) {
        // A PostgreSQL database is the operator's: created and named outside the data directory.
        return new DataDirectory(dataDir,
                database.isSqlite() && !Files.exists(dataDir.resolve(DatabaseSettings.SQLITE_FILE_NAME)),
                generatesKeyset && !Files.exists(
                        dataDir.resolve(SecretBox.KEYSET_FILE_NAME)));
    }

    Path database() {
        return path.resolve(DatabaseSettings.SQLITE_FILE_NAME);
    }

    /** Loud on purpose: a start from the wrong folder looks like a server that lost every account. */
    String createdText() {
        return "created a new database at " + database() + (newKeyset ? " and a new encryption keyset" : "")
                + ": no accounts or streams yet (expected others? set RELAY_DATA_DIR to the directory that holds them)";
    }
}
