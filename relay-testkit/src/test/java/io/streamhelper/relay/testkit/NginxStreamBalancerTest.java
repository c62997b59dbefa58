package io.streamhelper.relay.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real nginx stream balancer: bytes pass both ways to a plain TCP echo server, connections
 * from one address keep reaching the same upstream (source affinity), and when that upstream's
 * port refuses connections the next connection reaches the other one.
 */
class NginxStreamBalancerTest {

    @Test
    void forwardsBytesKeepsOneAddressOnOneUpstreamAndSkipsARefusingOne() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "balancer-");
        try (Echo first = new Echo('A'); Echo second = new Echo('B');
                NginxStreamBalancer balancer = NginxStreamBalancer.start(work, List.of(first.port(), second.port()))) {
            List<Character> chosen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                chosen.add(roundTrip(balancer.port(), new byte[] {1, 2, 3, (byte) i}));
            }
            assertEquals(1, chosen.stream().distinct().count(), "one client address, one upstream: " + chosen);

            char affine = chosen.get(0);
            Echo dead = affine == 'A' ? first : second;
            dead.close(); // its port now refuses connections, as a SIGKILLed relay's does
            char after = roundTrip(balancer.port(), new byte[] {9, 8, 7});
            assertNotEquals(affine, after, "the refusing upstream " + affine + " was skipped; nginx said:\n" + balancer.errorLog());
            assertTrue(balancer.errorLog().contains("Connection refused"), balancer.errorLog());
            // While it is marked down (fail_timeout) the same address stays on the survivor.
            assertEquals(after, roundTrip(balancer.port(), new byte[] {5}));
        }
    }

    /** Connects through the balancer, reads which upstream answered, and checks the echo. */
    private static char roundTrip(int port, byte[] payload) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(5_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            out.write(payload);
            int name = in.read();
            assertArrayEquals(payload, in.readNBytes(payload.length), "echoed through nginx");
            return (char) name;
        }
    }

    /** A TCP server on loopback that sends one byte naming itself, then echoes each connection. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        Echo(char name) throws IOException {
            Thread accepter = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread echo = new Thread(() -> {
                            try (s) {
                                s.getOutputStream().write(name);
                                byte[] buffer = new byte[256];
                                for (int n; (n = s.getInputStream().read(buffer)) > 0; ) {
                                    s.getOutputStream().write(buffer, 0, n);
                                }
                            } catch (IOException e) {
                                // the client went away
                            }
                        });
                        echo.setDaemon(true);
                        echo.start();
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "echo-" + name);
            accepter.setDaemon(true);
            accepter.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
