package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.TestKeys;
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
                        "RELAY_TRUSTED_CA_FILE", "/does/not/exist.pem", "RELAY_LOG_LEVEL", "verbose")));
        assertTrue(e.getMessage().contains("RELAY_RTMP_PORT must be a whole number, got 'abc'"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_HTTP_PORT must be between 0 and 65535"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_TRUSTED_CA_FILE"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got 'verbose'"),
                e.getMessage());
        assertEquals(8080, RelayConfig.fromEnvironment(Map.of("RELAY_LOG_LEVEL", "debug")).httpPort(), "any case is fine");
    }

    @Test
    void streamsFileIsReadAndItsKeysNeverPrint(@TempDir Path dir) throws Exception {
        String ingestKey = TestKeys.ingest();
        String youtubeKey = TestKeys.destination();
        Path file = dir.resolve("streams.json");
        Files.writeString(file, """
                {"streams": [{"id": "main", "name": "Main", "key": "%s",
                  "destinations": [{"id": "yt", "name": "YouTube", "url": "rtmps://a.rtmps.youtube.com/live2", "key": "%s"}]}]}
                """.formatted(ingestKey, youtubeKey));
        var catalog = StreamsFile.read(file);
        assertEquals("main", catalog.authorize(ingestKey).orElseThrow().streamId());
        assertTrue(catalog.authorize(ingestKey.substring(1)).isEmpty());
        var destination = catalog.destinationsOf("main").get(0);
        assertEquals(youtubeKey, destination.streamKey().reveal());
        assertTrue(!destination.toString().contains(youtubeKey), destination.toString());
        Files.writeString(file, "{\"streams\": [{\"id\": \"x\", \"key\": \"" + TestKeys.ingest() + "\", \"surprise\": 1}]}");
        assertThrows(java.io.IOException.class, () -> StreamsFile.read(file));
    }
}
