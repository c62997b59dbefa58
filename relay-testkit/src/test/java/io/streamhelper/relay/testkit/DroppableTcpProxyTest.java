package io.streamhelper.relay.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy OBS's reconnect test relies on: bytes pass both ways, and drop() looks like a lost
 * network to both ends (a reset, never an orderly end of stream), after which a new connection
 * goes through again.
 */
class DroppableTcpProxyTest {
    private ServerSocket server;
    private final BlockingQueue<Socket> serverSide = new LinkedBlockingQueue<>();
    private DroppableTcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    serverSide.add(server.accept());
                }
            } catch (IOException closed) {
                // test over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = DroppableTcpProxy.to(server.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        server.close();
    }

    @Test
    void dropResetsBothSidesAndTheNextConnectionGoesThrough() throws Exception {
        try (Socket client = connect()) {
            Socket upstream = serverSide.poll(5, TimeUnit.SECONDS);
            roundTrip(client, upstream);
            assertEquals(1, proxy.openConnections());

            assertEquals(1, proxy.drop());

            // A reset, not -1: an orderly close would let the client believe the server hung up.
            assertThrows(SocketException.class, () -> readOrFail(client.getInputStream()), "the client side is reset");
            assertThrows(SocketException.class, () -> readOrFail(upstream.getInputStream()), "the server side is reset");
            upstream.close();
        }
        try (Socket again = connect()) {
            Socket upstream = serverSide.poll(5, TimeUnit.SECONDS);
            roundTrip(again, upstream);
            assertEquals(2, proxy.accepted());
            assertEquals(1, proxy.dropped());
            upstream.close();
        }
    }

    @Test
    void vanishResetsTheClientAndLeavesTheServerSideOpenAndSilent() throws Exception {
        try (Socket client = connect()) {
            Socket upstream = serverSide.poll(5, TimeUnit.SECONDS);
            roundTrip(client, upstream);

            assertEquals(1, proxy.vanish());

            assertThrows(SocketException.class, () -> readOrFail(client.getInputStream()), "the client side is reset");
            // Neither an end nor a reset reaches the server: its read just waits, as on a dead network.
            upstream.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, () -> readOrFail(upstream.getInputStream()), "the server side is silent");
            upstream.getOutputStream().write(7); // and what it still sends goes nowhere, without an error
            assertEquals(0, proxy.openConnections());
            upstream.close();
        }
    }

    @Test
    void anOrderlyCloseIsPassedOnAndNotCountedAsADrop() throws Exception {
        Socket upstream;
        try (Socket client = connect()) {
            upstream = serverSide.poll(5, TimeUnit.SECONDS);
            roundTrip(client, upstream);
        }
        assertEquals(-1, upstream.getInputStream().read(), "the server sees the end of the stream");
        upstream.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 0);
        assertEquals(0, proxy.dropped());
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(5_000);
        return s;
    }

    private static void roundTrip(Socket client, Socket upstream) throws IOException {
        upstream.setSoTimeout(5_000);
        client.getOutputStream().write(new byte[] {1, 2, 3});
        assertEquals(1, upstream.getInputStream().read());
        upstream.getInputStream().readNBytes(2);
        upstream.getOutputStream().write(9);
        assertEquals(9, client.getInputStream().read());
    }

    /** Reads once; a clean end of stream fails the test, as a reset would have thrown. */
    private static void readOrFail(InputStream in) throws IOException {
        int b = in.read();
        throw new AssertionError("read returned " + b + " instead of a reset");
    }
}
