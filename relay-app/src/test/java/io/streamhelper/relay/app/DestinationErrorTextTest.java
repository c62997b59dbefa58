package io.streamhelper.relay.app;

import static io.streamhelper.relay.app.RelayViews.relayOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A destination's last error must not make the relay a port scanner and banner reader: pointed at
 * a real TCP server that answers HTTP, over rtmp:// and rtmps://, the error says what failed and
 * echoes nothing that server sent (no byte values, no hex of its reply, no banner words).
 */
class DestinationErrorTextTest {
    private static final String BANNER = "HTTP/1.1 400 Bad Request\r\nServer: InternalAdmin/7.3\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n";

    private RelayServer relay;
    private Process publisher;
    private HttpLikeServer http;

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.destroy();
        }
        if (relay != null) {
            relay.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void aServerThatAnswersHttpIsReportedWithoutItsBytes() throws Exception {
        Tools.require("ffmpeg");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "errors-");
        http = new HttpLikeServer();
        int closedPort = FreePorts.allocate();
        String ingestKey = TestKeys.ingest();
        List<DestinationTarget> targets = List.of(
                new DestinationTarget("plain", "http as rtmp", "rtmp://127.0.0.1:" + http.port() + "/app",
                        Secret.of(TestKeys.destination())),
                new DestinationTarget("tls", "http as rtmps", "rtmps://127.0.0.1:" + http.port() + "/app",
                        Secret.of(TestKeys.destination())),
                new DestinationTarget("closed", "nobody listening", "rtmp://127.0.0.1:" + closedPort + "/app",
                        Secret.of(TestKeys.destination())));
        relay = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "Errors"), Secret.of(ingestKey), targets))));
        publisher = Ffmpeg.publishLooping(Ffmpeg.testClip(Path.of("target", "clips"), 10),
                "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey, work.resolve("publisher.log"));

        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().liveStream("s1").isPresent());
        LiveStream stream = relay.registry().liveStream("s1").orElseThrow();
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().relays(stream).stream().allMatch(r -> r.lastError() != null));
        assertTrue(http.connections() >= 2, "both destinations reached the HTTP server");

        String plain = relayOf(relay.registry(), stream, "plain").lastError();
        String tls = relayOf(relay.registry(), stream, "tls").lastError();
        String closed = relayOf(relay.registry(), stream, "closed").lastError();
        for (String error : List.of(plain, tls, closed)) {
            String lower = error.toLowerCase(Locale.ROOT);
            for (String echo : List.of("0x48", "http", "48545450", "485454", "internaladmin", "bad request")) {
                assertFalse(lower.contains(echo), "'" + echo + "' echoes the server's reply: " + RelayViews.describe(relay.registry(), stream));
            }
        }
        assertTrue(plain.contains("did not answer the RTMP handshake"), plain);
        assertTrue(tls.contains("TLS"), tls);
        assertTrue(closed.contains("connection refused"), closed);
    }

    /** A real TCP server that answers every connection like a web server refusing a bad request. */
    private static final class HttpLikeServer implements AutoCloseable {
        private final ServerSocket socket;
        private volatile int connections;

        HttpLikeServer() throws IOException {
            socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            Thread accepting = new Thread(this::serve, "http-like-server");
            accepting.setDaemon(true);
            accepting.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections;
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket client = socket.accept()) {
                    connections++;
                    OutputStream out = client.getOutputStream();
                    out.write(BANNER.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    client.shutdownOutput();
                    client.getInputStream().readNBytes(1537); // C0+C1, or a ClientHello: then close
                } catch (IOException e) {
                    // the client went away first, or the test closed the server
                }
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
