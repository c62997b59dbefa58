package io.streamhelper.relay.logscan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner itself, on made-up module trees: it must be able to fail. */
class LogScanTest {
    private final String key = TestKeys.destination();

    private static Path write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private void recordKey(Path root) throws Exception {
        write(root.resolve("relay-engine/target/test-keys/123.txt"), TestKeys.ingest() + "\n" + key + "\n");
    }

    @Test
    void aKeyInASurefireOutputFileFailsTheScanNamingFileAndFourCharacters(@TempDir Path root) throws Exception {
        recordKey(root);
        write(root.resolve("relay-engine/target/surefire-reports/a.BTest-output.txt"), "ts=1 level=INFO event=ok\n");
        write(root.resolve("relay-rtmp/target/surefire-reports/a.CTest-output.txt"), "ts=2 level=WARN msg=\"to rtmp://h/app/" + key + "\"\n");
        LogScan.ScanFailed failed = assertThrows(LogScan.ScanFailed.class, () -> LogScan.check(root));
        assertTrue(failed.getMessage().contains("relay-rtmp/target/surefire-reports/a.CTest-output.txt: key starting \""
                + key.substring(0, 4) + "\""), failed.getMessage());
        assertFalse(failed.getMessage().contains(key.substring(0, 5)), "the report does not print the key");
    }

    @Test
    void aKeyInTheLogOfARelayProcessFailsTheScan(@TempDir Path root) throws Exception {
        recordKey(root);
        write(root.resolve("relay-engine/target/surefire-reports/a.BTest-output.txt"), "clean\n");
        write(root.resolve("relay-app/target/shutdown-1/relay.log"), "event=publish_start key " + key + "\n");
        assertEquals(1, LogScan.scan(root).findings().size());
    }

    @Test
    void peerLogsAndOtherFilesAreNotScanned(@TempDir Path root) throws Exception {
        recordKey(root);
        write(root.resolve("relay-engine/target/surefire-reports/a.BTest-output.txt"), "clean\n");
        write(root.resolve("relay-app/target/e2e-1/publisher.log"), "Output #0, flv, to 'rtmp://127.0.0.1/live/" + key + "'\n");
        write(root.resolve("relay-app/target/e2e-1/nginx-0/error.log"), "publish: name='" + key + "'\n");
        write(root.resolve("relay-engine/target/surefire-reports/a.BTest.txt"), "expected " + key + "\n");
        LogScan.Result result = LogScan.check(root);
        assertEquals(1, result.logs().size());
        assertEquals(2, result.keys().size());
    }

    @Test
    void aScanWithNoLogsFails(@TempDir Path root) throws Exception {
        recordKey(root);
        LogScan.ScanFailed failed = assertThrows(LogScan.ScanFailed.class, () -> LogScan.check(root));
        assertTrue(failed.getMessage().contains("no log files"), failed.getMessage());
    }

    @Test
    void aScanWithNoKeysFails(@TempDir Path root) throws Exception {
        write(root.resolve("relay-engine/target/surefire-reports/a.BTest-output.txt"), "clean\n");
        LogScan.ScanFailed failed = assertThrows(LogScan.ScanFailed.class, () -> LogScan.check(root));
        assertTrue(failed.getMessage().contains("no test keys"), failed.getMessage());
    }
}
