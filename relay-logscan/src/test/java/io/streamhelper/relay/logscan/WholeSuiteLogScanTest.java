package io.streamhelper.relay.logscan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The "a test scans every log line of the full test suite for every key the suite created
 * and finds none". This module comes last in the reactor, so under {@code mvn verify} every other
 * module's tests have run and written their logs and keys by now.
 */
class WholeSuiteLogScanTest {

    @Test
    void noKeyTheSuiteCreatedAppearsInAnyLogItWrote() throws Exception {
        Path root = Path.of(System.getProperty("relay.repoRoot", "..")).toAbsolutePath().normalize();
        LogScan.Result result = LogScan.check(root);
        // Printed to this class's own output file, for whoever wonders what was covered.
        System.out.println("log scan: " + result.keys().size() + " keys, " + result.logs().size() + " log files, no key found");
        assertTrue(result.findings().isEmpty());
    }
}
