package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server started from another folder gets another, empty data directory: the first start in a
 * directory says loudly that it created a database there, with the absolute path; a restart in
 * the same directory does not, and counts the streams it holds.
 */
class DataDirectoryStartTest {
    private final LogLines logLines = new LogLines().attach();

    @AfterEach
    void stopCapturing() {
        logLines.detach();
    }

    @Test
    void theFirstStartInADirectorySaysItCreatedADatabaseThereAndARestartCountsItsStreams() throws Exception {
        Path absolute = TestRelayConfig.freshDataDir();
        // Relative, as the default ./data is: the log must still name the absolute path.
        String relative = Path.of("").toAbsolutePath().relativize(absolute).toString();
        Path database = absolute.resolve("relay.db");

        try (RelayServer relay = RelayServer.start(TestRelayConfig.with("RELAY_DATA_DIR", relative), new StaticStreamCatalog(List.of()))) {
            assertEquals(List.of("event=data_dir path=" + absolute), logLines.containing("event=data_dir"));
            List<String> created = logLines.containing("event=database_created");
            assertEquals(1, created.size(), logLines.all.toString());
            assertTrue(created.get(0).contains("created a new database at " + database + " and a new encryption keyset"), created.get(0));
            assertEquals("streamhelper-relay: created a new database at " + database + " and a new encryption keyset:"
                    + " no accounts or streams yet (expected others? set RELAY_DATA_DIR to the directory that holds them)",
                    relay.banner().lines().get(0), "the first line Main prints");
            assertTrue(relay.banner().lines().contains("  data dir:     " + absolute), relay.banner().lines().toString());

            RelayHttp api = new RelayHttp(relay.httpPort());
            String token = api.signUpAndLogin("first@example.com", "a long passphrase");
            api.call("POST", "/api/v1/streams", "{\"name\":\"Main show\"}", token, 201);
        }
        logLines.all.clear();

        try (RelayServer relay = RelayServer.start(TestRelayConfig.with("RELAY_DATA_DIR", absolute.toString()),
                new StaticStreamCatalog(List.of()))) {
            assertEquals(List.of(), logLines.containing("event=database_created"), "the database was there already");
            assertEquals(List.of(), logLines.containing("created a new database"));
            List<String> started = logLines.containing("event=relay_started");
            assertEquals(1, started.size(), logLines.all.toString());
            assertTrue(started.get(0).contains(" streams=1 file_streams=0 data_dir=" + absolute + " new_database=false"), started.get(0));
            assertTrue(started.get(0).contains(" api=http://127.0.0.1:" + relay.httpPort() + "/api/v1 "), started.get(0));
            assertTrue(relay.banner().lines().contains("  streams:      1 in the database"), relay.banner().lines().toString());
            assertTrue(relay.banner().lines().contains("  RTMP ingest:  rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/<stream key>"),
                    relay.banner().lines().toString());
        }
    }
}
