package io.streamhelper.relay.rtmp.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.ingest.tls.IngestTls;
import io.streamhelper.relay.rtmp.ingest.tls.TlsFiles;
import io.streamhelper.relay.testkit.Certificates;
import io.streamhelper.relay.testkit.Certificates.KeyFormat;
import io.streamhelper.relay.testkit.Certificates.Leaf;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which TLS versions and cipher suites the RTMPS port takes, asked by the real peer an operator
 * would use, {@code openssl s_client}. This JVM runs under a policy that permits TLS 1.0 and 1.1
 * (relay-rtmp's pom, as older JDKs and edited java.security files do), so what is refused here is
 * refused by the ingest itself, not by the JVM it happens to run on.
 */
class IngestTlsProtocolsTest {
    private static final EventLoopGroup group = new NioEventLoopGroup(1);
    private static IngestServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("openssl");
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "tls-protocols-");
        // RSA: the key type that can also do the static-RSA suites, so their refusal is the ingest's choice.
        Leaf leaf = Certificates.leaf(Certificates.authority(dir.resolve("ca"), "Protocols Test CA"), dir, "server", "relay-protocols",
                KeyFormat.RSA_PKCS8);
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "One"), Secret.of(TestKeys.ingest()), List.<DestinationTarget>of())));
        StreamRegistry registry = new StreamRegistry(catalog, catalog, (target, listener) -> {
            throw new AssertionError("no destinations in this test");
        }, StreamRegistry.Settings.defaults());
        IngestSettings settings = new IngestSettings("127.0.0.1", 0, "live", Duration.ofSeconds(5), ChunkLimits.DEFAULT);
        server = new IngestServer(settings, registry, group, group)
                .withTls(0, IngestTls.load(new TlsFiles(leaf.fullChain(), leaf.privateKey()))).start();
        port = server.tlsPort().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.closeConnections();
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void thisJvmWouldTakeTls11WereTheIngestNotPinned() throws Exception {
        // Without this the refusals below could be the JVM's (JDK 17.0.x's default policy disables
        // TLS 1.0/1.1) and this test could not fail on an unpinned ingest.
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(false);
        assertTrue(List.of(engine.getEnabledProtocols()).contains("TLSv1.1"),
                "run with relay-rtmp's test JVM policy (java.security.properties): " + List.of(engine.getEnabledProtocols()));
    }

    @Test
    void tls13AndTls12AreTaken() throws Exception {
        assertHandshake("TLSv1.3", "-tls1_3");
        assertHandshake("TLSv1.2", "-tls1_2");
    }

    @Test
    void tls11AndTls10AreRefusedByTheServer() throws Exception {
        // SECLEVEL=0: Debian's openssl offers TLS 1.1 and 1.0 only then; the server's protocol_version
        // alert in the output shows the hello went out with them and the relay said no.
        assertRefusedByServer(openssl("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), "protocol version");
        assertRefusedByServer(openssl("-tls1", "-cipher", "DEFAULT@SECLEVEL=0"), "protocol version");
    }

    @Test
    void tls12TakesOnlyForwardSecretAeadSuites() throws Exception {
        assertHandshake("ECDHE-RSA-AES128-GCM-SHA256", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
        assertHandshake("ECDHE-RSA-CHACHA20-POLY1305", "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305");
        // Static RSA key exchange (no forward secrecy) and CBC with SHA-1 MACs: in the JDK's defaults, not ours.
        assertRefusedByServer(openssl("-tls1_2", "-cipher", "AES128-GCM-SHA256"), "handshake failure");
        assertRefusedByServer(openssl("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"), "handshake failure");
    }

    private record Result(int exit, String output) {
    }

    private static void assertHandshake(String expected, String... options) throws Exception {
        Result r = openssl(options);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(expected), "expected " + expected + " in:\n" + r.output());
        assertTrue(r.output().contains("Server certificate"), r.output());
    }

    private static void assertRefusedByServer(Result r, String alert) {
        assertTrue(r.exit() != 0, "the handshake was taken:\n" + r.output());
        assertTrue(r.output().contains("alert " + alert), "not refused by the server with '" + alert + "':\n" + r.output());
    }

    private static Result openssl(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close(); // no input: s_client ends once the handshake is done (or refused)
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not end");
        return new Result(p.exitValue(), String.join(" ", command) + "\n" + output);
    }
}
