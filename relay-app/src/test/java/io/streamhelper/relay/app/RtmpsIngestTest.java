package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.rtmp.ingest.tls.InvalidTlsFilesException;
import io.streamhelper.relay.testkit.Certificates;
import io.streamhelper.relay.testkit.Certificates.Authority;
import io.streamhelper.relay.testkit.Certificates.KeyFormat;
import io.streamhelper.relay.testkit.Certificates.Leaf;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.Obs;
import io.streamhelper.relay.testkit.ObsProfile;
import io.streamhelper.relay.testkit.Tools;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RTMPS ingest between real programs: ffmpeg (gnutls) and headless OBS (mbedTLS, which verifies
 * the certificate) publish {@code rtmps://127.0.0.1:<port>/live}, the relay forwards to
 * nginx-rtmp, and ffprobe reads what arrived. The certificate is certbot-shaped files on disk
 * (full chain, private key) and is renewed while the relay runs.
 */
class RtmpsIngestTest {
    private Path work;
    private Authority ca;
    private Path fullChain;
    private Path privateKey;
    private NginxDestination destination;
    private RelayServer relay;
    private Obs obs;
    private final List<Process> publishers = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx", "openssl");
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "rtmps-ingest-");
        ca = Certificates.authority(work.resolve("ca"), "Relay Ingest Test CA");
        Leaf leaf = Certificates.leaf(ca, work.resolve("issued"), "first", "relay-first", KeyFormat.RSA_PKCS8);
        Path live = Files.createDirectories(work.resolve("live"));
        fullChain = Files.copy(leaf.fullChain(), live.resolve("fullchain.pem"));
        privateKey = Files.copy(leaf.privateKey(), live.resolve("privkey.pem"));
        destination = NginxDestination.start(work.resolve("nginx"));
    }

    private void startRelay(String... settings) throws Exception {
        List<String> env = new java.util.ArrayList<>(List.of("RELAY_TLS_CERT_FILE", fullChain.toString(),
                "RELAY_TLS_KEY_FILE", privateKey.toString(), "RELAY_RTMPS_PORT", "0"));
        env.addAll(List.of(settings));
        relay = RelayServer.start(TestRelayConfig.with(env.toArray(String[]::new)), destination.catalog("RTMPS"));
    }

    @AfterEach
    void stop() {
        if (obs != null) {
            obs.close();
        }
        publishers.forEach(Process::destroyForcibly);
        if (relay != null) {
            relay.close();
        }
        if (destination != null) {
            destination.close();
        }
    }

    private String rtmpsServer() {
        return "rtmps://127.0.0.1:" + relay.rtmpsPort().orElseThrow() + "/live";
    }

    @Test
    void ffmpegPublishesOverRtmpsAndTheDestinationPlaysH264AndAac() throws Exception {
        startRelay();
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        Process ffmpeg = Ffmpeg.publish(clip, rtmpsServer() + "/" + destination.ingestKey, work.resolve("ffmpeg.log"));
        publishers.add(ffmpeg);
        await().atMost(Duration.ofSeconds(15)).until(() -> destination.hooks.calls("publish").size() == 1);

        destination.assertPlaysH264AndAac(1280, 720, Duration.ofSeconds(15));

        assertTrue(ffmpeg.waitFor(40, TimeUnit.SECONDS), "ffmpeg finished");
        assertEquals(0, ffmpeg.exitValue(), Files.readString(work.resolve("ffmpeg.log")));
        long frames = Ffmpeg.countVideoFrames(destination.recording());
        long clipFrames = Ffmpeg.countVideoFrames(clip);
        assertTrue(frames >= Math.ceil(clipFrames * 0.95), "the destination recorded " + frames + " of " + clipFrames);
        assertTrue(relay.rtmpEnabled(), "plain RTMP stays on by default");
    }

    @Test
    void aCertificateRenewedOnDiskIsOfferedToTheNextPublisherWhileTheOpenOneStreamsOn() throws Exception {
        startRelay();
        X509Certificate before = certificateOffered();
        assertEquals("CN=relay-first", before.getSubjectX500Principal().getName());

        // A publisher connected with the old certificate, streaming through the renewal.
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 20);
        Process open = Ffmpeg.publish(clip, rtmpsServer() + "/" + destination.ingestKey, work.resolve("open.log"));
        publishers.add(open);
        await().atMost(Duration.ofSeconds(15)).until(() -> destination.hooks.calls("publish").size() == 1);

        // What certbot does on renewal: new files in place (here copied over, stamped later).
        Leaf renewed = Certificates.leaf(ca, work.resolve("issued"), "second", "relay-renewed", KeyFormat.EC_PKCS8);
        replace(renewed.privateKey(), privateKey);
        replace(renewed.fullChain(), fullChain);

        // The poll runs every 10 s on the server's real clock (its timing is tested in virtual time in relay-rtmp).
        await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertEquals("CN=relay-renewed", certificateOffered().getSubjectX500Principal().getName()));
        X509Certificate after = certificateOffered();
        assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
        assertEquals(after, relay.rtmpsCertificate().orElseThrow());

        assertTrue(open.isAlive(), "the publisher connected before the renewal is still streaming");
        assertTrue(open.waitFor(45, TimeUnit.SECONDS), "the open publisher finished its clip");
        assertEquals(0, open.exitValue(), Files.readString(work.resolve("open.log")));
        assertEquals(1, destination.hooks.calls("publish").size(), "one publish at the destination, never interrupted");
        // The destination's first seconds depend on how fast nginx-rtmp answered the relay's connect
        // (seen: 2.6 s in a cold JVM, one GOP lost before its recording starts); the renewal came after.
        long frames = Ffmpeg.countVideoFrames(destination.recording());
        long clipFrames = Ffmpeg.countVideoFrames(clip);
        assertTrue(frames >= clipFrames - 90, "the destination recorded " + frames + " of " + clipFrames);
    }

    @Test
    void obsPublishesToTheRtmpsAddressVerifyingTheCertificate() throws Exception {
        Obs.require();
        startRelay("RELAY_RTMP_ENABLED", "false");
        assertFalse(relay.rtmpEnabled(), "RTMPS only");
        // "localhost", not 127.0.0.1: OBS 29's mbedTLS (2.28 on Debian 12) matches the host against the
        // certificate's DNS names only, never its IP addresses; with 127.0.0.1 it refuses the
        // certificate ("Cert verify failed: 4 ... CN does not match"), as it would for a streamer.
        String server = "rtmps://localhost:" + relay.rtmpsPort().orElseThrow() + "/live";
        obs = Obs.startStreaming(work.resolve("obs"), ObsProfile.customRtmp(server, destination.ingestKey)
                .reconnect(1, 5).trusting(ca.certificate()));
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!obs.isRunning()) {
                throw new AssertionError("OBS stopped: " + obs.describe(30));
            }
            return destination.hooks.calls("publish").size() == 1;
        });
        destination.assertPlaysH264AndAac(640, 360, Duration.ofSeconds(20));
        assertEquals(1, obs.connections(), obs.describe(20));
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStartNamingTheFiles() throws Exception {
        Leaf other = Certificates.leaf(ca, work.resolve("issued"), "other", "relay-other", KeyFormat.RSA_PKCS8);
        replace(other.privateKey(), privateKey);
        InvalidTlsFilesException refused = assertThrows(InvalidTlsFilesException.class, this::startRelay);
        assertTrue(refused.getMessage().contains(privateKey.toString()) && refused.getMessage().contains("does not belong"),
                refused.getMessage());
        for (String line : Files.readAllLines(privateKey)) {
            if (!line.startsWith("-----")) {
                assertFalse(refused.getMessage().contains(line), "key material in the message");
            }
        }
    }

    /** The certificate the RTMPS port presents to a client that trusts only the test CA: what `openssl s_client` shows a user. */
    private X509Certificate certificateOffered() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca.certificate())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", relay.rtmpsPort().orElseThrow())) {
            socket.setSoTimeout(5_000);
            javax.net.ssl.SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // the name checked as a client would: IP SAN 127.0.0.1
            socket.setSSLParameters(params);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static int stamp;

    private static void replace(Path from, Path to) throws Exception {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(to, FileTime.from(Instant.now().plusSeconds(++stamp)));
    }
}
