package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A start that fails part-way (here: the HTTP port is taken, found after the database, the event
 * loops and the RTMP listener are up) leaves nothing behind: the RTMP port is free again, no
 * relay thread keeps the JVM alive, and the data directory (its lock and its database) can be
 * started on at once with a fixed setting.
 */
class StartupFailureTest {
    @Test
    void aStartWhoseHttpPortIsTakenClosesEverythingItOpened() throws Exception {
        Path dataDir = TestRelayConfig.freshDataDir();
        int rtmpPort;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            rtmpPort = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RelayConfig config = TestRelayConfig.with("RELAY_DATA_DIR", dataDir.toString(),
                    "RELAY_RTMP_PORT", String.valueOf(rtmpPort), "RELAY_HTTP_PORT", String.valueOf(taken.getLocalPort()));

            RuntimeException refused = assertThrows(RuntimeException.class,
                    () -> RelayServer.start(config, new StaticStreamCatalog(List.of())).close());
            assertTrue(refused.getMessage().contains("HTTP port 127.0.0.1:" + taken.getLocalPort())
                    && refused.getMessage().contains("RELAY_HTTP_PORT"), refused.getMessage());
        }

        // The RTMP listener went with the failed start: its port binds again.
        try (ServerSocket rtmpAgain = new ServerSocket()) {
            rtmpAgain.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), rtmpPort));
        }
        // No event loop (or other relay thread) keeps a JVM that failed to start alive. Loops stop
        // asynchronously after their quiet period, hence the wait.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(List.of(), nonDaemonRelayThreads()));

        // Lock released and database closed: the same directory starts, on a free HTTP port.
        try (RelayServer relay = RelayServer.start(TestRelayConfig.with("RELAY_DATA_DIR", dataDir.toString(),
                "RELAY_RTMP_PORT", String.valueOf(rtmpPort)), new StaticStreamCatalog(List.of()))) {
            assertEquals(rtmpPort, relay.rtmpPort());
            assertTrue(relay.database().isReachable());
        }
    }

    /** Threads of ours that would keep the JVM running: Netty loops, Jetty's pool, the database's pool. */
    private static List<String> nonDaemonRelayThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !thread.isDaemon())
                .map(Thread::getName)
                .filter(name -> name.startsWith("rtmp-") || name.startsWith("catalog-") || name.startsWith("relay-")
                        || name.startsWith("JettyServerThreadPool") || name.startsWith("qtp") || name.startsWith("Javalin"))
                .sorted()
                .toList();
    }
}
