package io.streamhelper.relay.testkit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class TestKeysTest {

    @Test
    void everyKeyIsNewAndRecordedForTheLogScan() throws Exception {
        String ingest = TestKeys.ingest();
        String destination = TestKeys.destination();
        String token = TestKeys.token();
        assertNotEquals(ingest, TestKeys.ingest());
        assertTrue(destination.matches("[a-z0-9]{4}(-[a-z0-9]{4}){3}-testonly"), destination);
        String recorded = Files.readString(TestKeys.recordFile());
        for (String key : new String[] {ingest, destination, token}) {
            assertTrue(recorded.lines().anyMatch(key::equals), "recorded: " + key.substring(0, 4));
        }
    }
}
