package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The lines a new operator reads at start: every address ready to paste, the stream count, the data dir. */
class StartupBannerTest {
    private static final DataDirectory EXISTING = new DataDirectory(Path.of("/srv/relay/data"), false, false);

    @Test
    void namesEveryAddressTheStreamCountsAndTheDataDirectory() {
        StartupBanner banner = new StartupBanner("relay.example.com", OptionalInt.of(1935), OptionalInt.empty(), 8080, 3, 1, EXISTING);

        assertEquals(List.of(
                "streamhelper-relay: started",
                "  RTMP ingest:  rtmp://relay.example.com:1935/live/<stream key>",
                "  API:          http://relay.example.com:8080/api/v1",
                "  web app:      http://relay.example.com:8080/   live stats: http://relay.example.com:8080/stat",
                "  streams:      3 in the database, 1 from the streams file",
                "  data dir:     /srv/relay/data"), banner.lines());
        assertEquals("event=relay_started rtmp=rtmp://relay.example.com:1935/live api=http://relay.example.com:8080/api/v1"
                + " web=http://relay.example.com:8080/ stat=http://relay.example.com:8080/stat streams=3 file_streams=1"
                + " data_dir=/srv/relay/data new_database=false", banner.logLine());
    }

    @Test
    void theRtmpsIngestIsNamedOnlyWhenItIsOn() {
        StartupBanner banner = new StartupBanner("localhost", OptionalInt.of(1935), OptionalInt.of(1936), 8080, 0, 0, EXISTING);

        assertTrue(banner.lines().contains("  RTMPS ingest: rtmps://localhost:1936/live/<stream key>"), banner.lines().toString());
        assertTrue(banner.logLine().contains(" rtmps=rtmps://localhost:1936/live "), banner.logLine());
        assertTrue(banner.lines().contains("  streams:      0 in the database"), "no streams file, no file count: " + banner.lines());
    }

    @Test
    void anRtmpsOnlyServerNamesNoPlainRtmpAddress() {
        StartupBanner banner = new StartupBanner("relay.example.com", OptionalInt.empty(), OptionalInt.of(443), 8080, 0, 0, EXISTING);

        assertTrue(banner.lines().contains("  RTMPS ingest: rtmps://relay.example.com:443/live/<stream key>"), banner.lines().toString());
        assertTrue(banner.lines().stream().noneMatch(l -> l.contains("rtmp://")), banner.lines().toString());
        assertTrue(banner.logLine().startsWith("event=relay_started rtmps=rtmps://relay.example.com:443/live api="), banner.logLine());
    }

    @Test
    void aNewDatabaseIsSaidFirstWithItsAbsolutePath() {
        DataDirectory created = new DataDirectory(Path.of("/home/me/elsewhere/data"), true, true);
        StartupBanner banner = new StartupBanner("localhost", OptionalInt.of(1935), OptionalInt.empty(), 8080, 0, 0, created);

        assertEquals("streamhelper-relay: created a new database at /home/me/elsewhere/data/relay.db and a new encryption keyset:"
                + " no accounts or streams yet (expected others? set RELAY_DATA_DIR to the directory that holds them)",
                banner.lines().get(0));
        assertTrue(banner.logLine().endsWith(" new_database=true"), banner.logLine());
    }

    @Test
    void theHostIsThePublicHostElseTheBindAddressElseLocalhost() {
        assertEquals("relay.example.com", StartupBanner.host(Optional.of("relay.example.com"), "0.0.0.0"));
        assertEquals("192.0.2.10", StartupBanner.host(Optional.empty(), "192.0.2.10"));
        assertEquals("localhost", StartupBanner.host(Optional.empty(), "0.0.0.0"), "a wildcard cannot be dialled");
        assertEquals("localhost", StartupBanner.host(Optional.empty(), "::"));
        assertEquals("[2001:db8::1]", StartupBanner.host(Optional.empty(), "2001:db8::1"), "bracketed for a URL");
    }
}
