package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.RelayNodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * relay-testkit's RelayNodeProcess, which MultiNodeEndToEndTest's cluster is made of: a node is a
 * child JVM running Main that is healthy when start returns, {@code kill()} is a real SIGKILL
 * (exit 137, no shutdown phases logged) and {@code stop()} a SIGTERM the relay answers with its
 * clean shutdown (exit 0, its phases logged).
 */
class RelayNodeProcessTest {

    @Test
    void aNodeStartsHealthyDiesOfSigkillOnKillAndShutsDownCleanlyOnStop() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "node-process-");
        try (RelayNodeProcess killed = RelayNodeProcess.start(work.resolve("killed"), "node-k", Map.of());
                RelayNodeProcess stopped = RelayNodeProcess.start(work.resolve("stopped"), "node-s", Map.of())) {
            assertEquals(200, killed.healthStatus());
            assertEquals(200, stopped.healthStatus());
            assertTrue(killed.log().contains("rtmp://127.0.0.1:" + killed.rtmpPort() + "/live/"), killed.log());

            assertEquals(137, killed.kill(), "SIGKILL");
            assertFalse(killed.isAlive());
            assertEquals(-1, killed.healthStatus(), "nothing answers on its port any more");
            assertFalse(killed.log().contains("phase=stop_accepting"), "a SIGKILLed JVM runs no shutdown:\n" + killed.log());

            assertEquals(0, stopped.stop(), "SIGTERM ends the relay cleanly:\n" + stopped.log());
            assertTrue(stopped.log().contains("event=relay_stopped"), stopped.log());
        }
    }
}
