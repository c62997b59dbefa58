package io.streamhelper.relay.rtmp.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain TCP relay that records what clients send: put between a real RTMP client and a real
 * server, it captures the client's bytes exactly as they were on the wire, whatever either end
 * does with them. Only for making the seed corpus.
 */
final class RecordingProxy implements AutoCloseable {
    /** One client connection: its bytes so far, and whether it has ended. */
    static final class Capture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile boolean ended;

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }

        boolean ended() {
            return ended;
        }
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Capture> captures = new CopyOnWriteArrayList<>();

    RecordingProxy(int targetPort) throws IOException {
        this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        daemon(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    List<Capture> captures() {
        return captures;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Capture capture = new Capture();
                captures.add(capture);
                daemon(() -> pump(client, server, capture));
                daemon(() -> pump(server, client, null));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to, Capture capture) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (capture != null) {
                    synchronized (capture) {
                        capture.bytes.write(buffer, 0, n);
                    }
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // one side went away: so does the other
        } finally {
            if (capture != null) {
                capture.ended = true;
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void daemon(Runnable task) {
        Thread t = new Thread(task, "recording-proxy");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
