package io.streamhelper.relay.rtmp.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.client.ClientSettings;
import io.streamhelper.relay.rtmp.client.LinkOutcome;
import io.streamhelper.relay.rtmp.client.RtmpDestinationConnector;
import io.streamhelper.relay.rtmp.ingest.tls.IngestTls;
import io.streamhelper.relay.rtmp.ingest.tls.TlsFiles;
import io.streamhelper.relay.testkit.Certificates;
import io.streamhelper.relay.testkit.Certificates.Authority;
import io.streamhelper.relay.testkit.Certificates.KeyFormat;
import io.streamhelper.relay.testkit.Certificates.Leaf;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The RTMPS port over real sockets: our own RTMPS client (which verifies the certificate against
 * the test CA) publishes through it, and what a broken or hostile peer sends closes only its own
 * connection, counted in the same limits as plain RTMP.
 */
class IngestTlsServerTest {
    private static final Duration HANDSHAKE_DEADLINE = Duration.ofMillis(800);
    private static Authority ca;
    private static Leaf leaf;

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final String key = TestKeys.ingest();
    private StreamRegistry registry;
    private IngestServer server;
    private int tlsPort;

    @BeforeAll
    static void certificates() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "tls-server-");
        ca = Certificates.authority(dir.resolve("ca"), "Ingest Server Test CA");
        leaf = Certificates.leaf(ca, dir, "server", "relay-ingest", KeyFormat.EC_SEC1);
    }

    @BeforeEach
    void registry() {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.<DestinationTarget>of())));
        registry = new StreamRegistry(catalog, catalog, (target, listener) -> {
            throw new AssertionError("no destinations in this test");
        }, StreamRegistry.Settings.defaults());
    }

    /** A JVM's first TLS handshake can take a second (class loading, key set-up): the default deadline, unless testing it. */
    private void start(int maxPerAddress) throws Exception {
        start(maxPerAddress, ConnectionLimits.DEFAULT.handshakeTimeout());
    }

    private void start(int maxPerAddress, Duration handshakeDeadline) throws Exception {
        IngestSettings settings = new IngestSettings("127.0.0.1", 0, "live", Duration.ofSeconds(5), ChunkLimits.DEFAULT)
                .withConnectionLimits(new ConnectionLimits(handshakeDeadline, 100, maxPerAddress));
        server = new IngestServer(settings, registry, group, group)
                .withTls(0, IngestTls.load(new TlsFiles(leaf.fullChain(), leaf.privateKey()))).start();
        tlsPort = server.tlsPort().orElseThrow();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.closeConnections();
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void anRtmpsClientThatVerifiesTheCertificatePublishesAndBothPortsListen() throws Exception {
        start(50);
        LinkOutcome outcome = publishOverTls();
        outcome.live.get(10, TimeUnit.SECONDS);
        assertEquals(1, registry.liveStreams().size(), "the publish went through TLS into the same session handler");
        assertTrue(server.port() != tlsPort, "plain RTMP still has its own port");
    }

    @Test
    void plainRtmpAndGarbageOnTheTlsPortCloseOnlyThoseConnections() throws Exception {
        start(50);
        LinkOutcome publisher = publishOverTls();
        publisher.live.get(10, TimeUnit.SECONDS);

        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3; // what an rtmp:// client sends first
        assertClosedSoon(c0c1);
        assertClosedSoon("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        // A TLS record header announcing a handshake, then bytes that are not one.
        byte[] badHello = new byte[64];
        badHello[0] = 0x16;
        badHello[1] = 3;
        badHello[2] = 1;
        badHello[4] = 59;
        assertClosedSoon(badHello);

        assertEquals(1, registry.liveStreams().size(), "the TLS publisher did not notice");
        assertTrue(!publisher.closed.isDone());
        await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 1);
    }

    @Test
    void aTlsHandshakeThatDoesNotFinishIsClosedAtTheHandshakeDeadline() throws Exception {
        start(50, HANDSHAKE_DEADLINE);
        try (Socket socket = new Socket("127.0.0.1", tlsPort)) {
            socket.setSoTimeout(10_000);
            long started = System.nanoTime();
            // Half a TLS record header, then silence: a slow-loris on the RTMPS port.
            socket.getOutputStream().write(new byte[] {0x16, 3});
            assertEquals(-1, readUntilClosed(socket.getInputStream()));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(waitedMs >= HANDSHAKE_DEADLINE.toMillis() - 100 && waitedMs < 4_000, "closed after " + waitedMs + " ms");
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 0);
    }

    /**
     * A record may hold 2^14 + 2048 bytes (RFC 5246 6.2.3); the header's length field goes to
     * 65535. The SslHandler waits for the whole announced record before it looks, so each
     * unfinished handshake could hold 64 KiB (more once its buffer doubles) until the deadline,
     * none of it in the ingest's buffer budget: 1000 connections, 64 MiB and up.
     */
    @Test
    void aRecordHeaderAnnouncingMoreThanTlsAllowsIsClosedAtOnce() throws Exception {
        start(50);
        byte[] header = {0x16, 3, 1, (byte) 0xff, (byte) 0xff, 1, 0, 0, 0};
        assertClosedSoon(header);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 0);
    }

    @Test
    void tlsConnectionsCountInTheSameLimitsAsPlainOnes() throws Exception {
        start(2);
        try (Socket plain = new Socket("127.0.0.1", server.port()); Socket tls = new Socket("127.0.0.1", tlsPort)) {
            await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 2);
            try (Socket third = new Socket("127.0.0.1", tlsPort)) {
                third.setSoTimeout(2_000);
                // Refused on accept, before any TLS handshake (its deadline is 5 s).
                assertEquals(-1, readUntilClosed(third.getInputStream()));
            }
            assertEquals(2, server.openConnections());
        }
    }

    /**
     * TLS 1.2 lets a client ask for a new handshake at any time, and the JDK's server takes it
     * (jdk.tls.rejectClientInitiatedRenegotiation is false by default): each one costs the relay
     * a full handshake, on the event loop, as often as the client likes. No encoder renegotiates.
     */
    @Test
    void aClientThatRenegotiatesIsClosedAndOnlyIt() throws Exception {
        start(50);
        LinkOutcome publisher = publishOverTls();
        publisher.live.get(10, TimeUnit.SECONDS);
        try (SSLSocket socket = (SSLSocket) trustingTheCa().getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setSoTimeout(3_000);
            socket.startHandshake();
            await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 2);
            boolean closed;
            try {
                socket.startHandshake(); // on an established TLS 1.2 session: a renegotiation
                closed = socket.getInputStream().read() == -1;
            } catch (SocketTimeoutException stillOpen) {
                closed = false;
            } catch (IOException closedOrReset) { // SSLException (end of stream in the handshake) or a reset
                closed = true;
            }
            assertTrue(closed, "the renegotiating connection was closed");
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 1);
        assertEquals(1, registry.liveStreams().size(), "the TLS publisher did not notice");
        assertTrue(!publisher.closed.isDone());
    }

    /**
     * Bytes that are not a record of this session after a complete handshake (a forged
     * application-data record): that connection closes, in one line that says what happened,
     * and nothing louder.
     */
    @Test
    void garbageAfterTheHandshakeClosesThatConnectionOnlyInOneLine() throws Exception {
        start(50);
        LinkOutcome publisher = publishOverTls();
        publisher.live.get(10, TimeUnit.SECONDS);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try (Socket raw = new Socket("127.0.0.1", tlsPort);
                SSLSocket tls = (SSLSocket) trustingTheCa().getSocketFactory().createSocket(raw, "127.0.0.1", tlsPort, false)) {
            tls.startHandshake();
            raw.setSoTimeout(3_000);
            byte[] forged = new byte[5 + 32];
            new java.util.Random(7).nextBytes(forged);
            forged[0] = 23; // application data, TLS 1.2 on the wire (as TLS 1.3 says too), 32 bytes
            forged[1] = 3;
            forged[2] = 3;
            forged[3] = 0;
            forged[4] = 32;
            raw.getOutputStream().write(forged);
            raw.getOutputStream().flush();
            assertEquals(-1, readUntilClosed(raw.getInputStream()));
            await().atMost(Duration.ofSeconds(2)).until(() -> server.openConnections() == 1);
        } finally {
            root.detachAppender(logged);
        }
        List<String> failures = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains("event=ingest_tls_failed")).toList();
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("reason=bad_record"), "not a handshake that failed: " + failures.get(0));
        List<ILoggingEvent> loud = logged.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null).toList();
        assertEquals(List.of(), loud.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertEquals(1, registry.liveStreams().size(), "the TLS publisher did not notice");
        assertTrue(!publisher.closed.isDone());
    }

    private static SSLContext trustingTheCa() throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(ca.certificate())) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private LinkOutcome publishOverTls() throws Exception {
        RtmpDestinationConnector client = new RtmpDestinationConnector(group,
                ClientSettings.defaults().withTrustedCaFile(ca.certificate()));
        LinkOutcome outcome = new LinkOutcome();
        client.connect(new DestinationTarget("self", "self", "rtmps://127.0.0.1:" + tlsPort + "/live", Secret.of(key)), outcome);
        return outcome;
    }

    private void assertClosedSoon(byte[] bytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", tlsPort)) {
            socket.setSoTimeout(3_000); // closed for what was sent, not at the 5 s handshake deadline
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            assertEquals(-1, readUntilClosed(socket.getInputStream()));
        }
    }

    /** Reads (and drops: a TLS alert may come first) until the server closes; -1 then. */
    private static int readUntilClosed(InputStream in) throws Exception {
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) != -1) {
                // an alert, or nothing
            }
        } catch (SocketException reset) {
            // a reset is a close too
        }
        return -1;
    }
}
