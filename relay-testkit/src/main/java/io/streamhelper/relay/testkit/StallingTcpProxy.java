package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP forwarder on loopback that a test can make go silent: after {@link #stall()} it forwards
 * nothing in either direction and closes nothing, like a network path that drops every packet
 * (a Wi-Fi that went away, a pulled cable upstream). Neither end sees a FIN or a reset; the sender's
 * socket buffers fill and its writes block. Only {@link #close()} closes the sockets.
 */
public final class StallingTcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean stalled;

    private StallingTcpProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Listens on a free loopback port and forwards each connection to 127.0.0.1:targetPort. */
    public static StallingTcpProxy start(int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            StallingTcpProxy proxy = new StallingTcpProxy(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
            daemon("proxy-accept", proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on no byte goes through, in either direction, and every connection stays open. */
    public void stall() {
        stalled = true;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                sockets.add(client);
                sockets.add(upstream);
                daemon("proxy-up", () -> pump(client, upstream));
                daemon("proxy-down", () -> pump(upstream, client));
            } catch (IOException e) {
                // closed, or the target refused this one connection: the client sees its socket close
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while (!stalled && (n = in.read(buffer)) >= 0) {
                if (stalled) {
                    break; // read while the path went dead: these bytes are lost, as on the network
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            if (!stalled) {
                to.shutdownOutput(); // a real FIN, passed on while the path works
                return;
            }
            closed.await(); // stalled: hold both ends open, read nothing, until the test ends
        } catch (IOException e) {
            // One end closed or reset while the path worked: the other end learns it too. Once
            // stalled, nothing is passed on, not even this.
            if (!stalled) {
                closeQuietly(to);
                closeQuietly(from);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(StallingTcpProxy::closeQuietly);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
