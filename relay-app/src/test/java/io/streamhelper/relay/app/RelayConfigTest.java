package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayConfigTest {

    @Test
    void defaults() {
        RelayConfig config = RelayConfig.fromEnvironment(Map.of());
        assertEquals(1935, config.rtmpPort());
        assertEquals(8080, config.httpPort());
        assertEquals("0.0.0.0", config.bindAddress());
        assertEquals(Duration.ofSeconds(10), config.publishIdleTimeout());
        assertTrue(config.trustedCaFile().isEmpty());
    }

    @Test
    void badValuesNameTheSetting() {
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_RTMP_PORT", "abc", "RELAY_HTTP_PORT", "70000",
                        "RELAY_TRUSTED_CA_FILE", "/does/not/exist.pem")));
        assertTrue(e.getMessage().contains("RELAY_RTMP_PORT must be a whole number, got 'abc'"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_HTTP_PORT must be between 0 and 65535"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_TRUSTED_CA_FILE"), e.getMessage());
    }

    @Test
    void streamsFileIsReadAndItsKeysNeverPrint(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("streams.json");
        Files.writeString(file, """
                {"streams": [{"id": "main", "name": "Main", "key": "ingest-123",
                  "destinations": [{"id": "yt", "name": "YouTube", "url": "rtmps://a.rtmps.youtube.com/live2", "key": "yt-secret"}]}]}
                """);
        var catalog = StreamsFile.read(file);
        assertEquals("main", catalog.authorize("ingest-123").orElseThrow().streamId());
        assertTrue(catalog.authorize("ingest-12").isEmpty());
        var destination = catalog.destinationsOf("main").get(0);
        assertEquals("yt-secret", destination.streamKey().reveal());
        assertTrue(!destination.toString().contains("yt-secret"), destination.toString());
        Files.writeString(file, "{\"streams\": [{\"id\": \"x\", \"key\": \"k\", \"surprise\": 1}]}");
        assertThrows(java.io.IOException.class, () -> StreamsFile.read(file));
    }
}
