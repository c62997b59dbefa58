package io.streamhelper.relay.rtmp.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A destination that is down refuses the connection, and the relay retries it for as long as the
 * stream lasts. Each refused attempt must give its socket back: Java NIO closes it for us, Netty's
 * io_uring transport does not, and a relay that leaked one descriptor per retry would run out of
 * them on a long stream with one dead destination.
 */
class RefusedConnectionTest {

    @Test
    void refusedAttemptsLeaveNoSocketOpenOnEitherTransport() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free again once closed: connections to it are refused
        }
        for (Transport transport : Transport.available()) {
            EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("refused-" + transport, true));
            try {
                RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults());
                long before = openDescriptors();
                for (int i = 0; i < 20; i++) {
                    LinkOutcome outcome = new LinkOutcome();
                    connector.connect(new DestinationTarget("down", "down", "rtmp://127.0.0.1:" + port + "/live",
                            Secret.of(TestKeys.destination())), outcome);
                    Throwable cause = outcome.closed.get(10, TimeUnit.SECONDS);
                    assertTrue(cause instanceof ConnectException || cause.getCause() instanceof ConnectException,
                            transport + ": refused, not " + cause);
                }
                // A few descriptors come and go with the JVM's own work; twenty leaked ones do not.
                await().atMost(Duration.ofSeconds(5)).until(() -> openDescriptors() < before + 5);
            } finally {
                assertTrue(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS),
                        transport + ": its event loop stopped");
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
