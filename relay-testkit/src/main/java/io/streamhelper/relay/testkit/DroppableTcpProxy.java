package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a free loopback port, in front of one server, whose connections a test can
 * {@link #drop()} the way a lost network looks to an encoder: both sockets are reset (RST, by
 * closing with SO_LINGER 0), with no FIN and no bytes in flight delivered. Or
 * {@link #vanish()}: the client's side is reset but the server's is left open and silent, which
 * is how a server sees a network that died (no FIN, no RST, just no more bytes) while the
 * encoder has already noticed. It keeps listening, so the client's own reconnect logic is what
 * brings the stream back, through a new connection.
 *
 * <p>Plain blocking sockets, two copying threads per connection: the peers under test are the
 * protocol implementations, this only moves bytes.
 */
public final class DroppableTcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Pair> open = new CopyOnWriteArrayList<>();
    /** Server-side sockets left open by vanish(), silent until the server closes them or close(). */
    private final List<Socket> abandoned = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile boolean closed;

    /** A client connection and the one it opened to the target. */
    private record Pair(Socket client, Socket upstream) {
        /** Resets both, so neither side sees an orderly close. */
        void reset() {
            resetQuietly(client);
            resetQuietly(upstream);
        }

        void closeQuietly() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private DroppableTcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    }

    /** Listens on a free loopback port and forwards every connection to 127.0.0.1:targetPort. */
    public static DroppableTcpProxy to(int targetPort) {
        try {
            DroppableTcpProxy proxy = new DroppableTcpProxy(targetPort);
            thread("proxy-accept-" + proxy.port(), proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far, dropped or not. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections currently forwarded (accepted, not yet dropped or ended). */
    public int openConnections() {
        return open.size();
    }

    /** Connections ended by {@link #drop()} or {@link #vanish()}. */
    public int dropped() {
        return dropped.get();
    }

    /**
     * Resets every open connection on both sides at once; returns how many there were. New
     * connections are accepted and forwarded as before.
     */
    public int drop() {
        int count = 0;
        for (Pair pair : open) {
            if (open.remove(pair)) {
                pair.reset();
                count++;
            }
        }
        dropped.addAndGet(count);
        return count;
    }

    /**
     * Resets the client's side of every open connection and leaves the server's side open, with
     * nothing more sent on it, until the server closes it (or this proxy is closed); returns how
     * many there were. New connections are accepted and forwarded as before.
     */
    public int vanish() {
        int count = 0;
        for (Pair pair : open) {
            if (open.remove(pair)) {
                abandoned.add(pair.upstream());
                resetQuietly(pair.client());
                count++;
            }
        }
        dropped.addAndGet(count);
        return count;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                resetQuietly(client); // the server is not there: the client sees a refused-like reset
                resetQuietly(upstream);
                continue;
            }
            Pair pair = new Pair(client, upstream);
            open.add(pair);
            thread("proxy-up-" + client.getPort(), () -> copy(pair, client, upstream));
            thread("proxy-down-" + client.getPort(), () -> copy(pair, upstream, client));
        }
    }

    /**
     * Copies until either side ends. An orderly end (EOF) is passed on as a close of both. A
     * dropped or vanished pair is no longer open: its copiers stop on the exception that follows
     * and close nothing (closing a socket's stream would close the socket, and send the FIN a
     * vanished network never sends).
     */
    private void copy(Pair pair, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // reset by drop() or vanish(), or by a peer: either way this direction is over
        } finally {
            if (open.remove(pair)) {
                pair.closeQuietly();
            }
        }
    }

    private static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed: nothing to reset
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void thread(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        drop();
        abandoned.forEach(DroppableTcpProxy::resetQuietly);
    }
}
