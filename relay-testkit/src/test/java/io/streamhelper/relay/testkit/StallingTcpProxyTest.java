package io.streamhelper.relay.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** The proxy forwards both ways until stalled; then nothing passes and nothing is closed. */
class StallingTcpProxyTest {

    @Test
    void forwardsUntilStalledThenPassesNothingAndClosesNothing() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                StallingTcpProxy proxy = StallingTcpProxy.start(echo.getLocalPort());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            Thread server = new Thread(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (Exception e) {
                    // the test ended
                }
            });
            server.setDaemon(true);
            server.start();
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            out.write(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, in.readNBytes(3), "echoed through the proxy");

            proxy.stall();
            out.write(new byte[] {4, 5, 6});
            client.setSoTimeout(1_000);
            // Neither an echo nor an end of stream: the read just waits, as on a dead network path.
            assertThrows(SocketTimeoutException.class, in::read);
        }
    }
}
