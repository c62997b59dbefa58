package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Certificates;
import io.streamhelper.relay.testkit.Certificates.Authority;
import io.streamhelper.relay.testkit.Certificates.KeyFormat;
import io.streamhelper.relay.testkit.Certificates.Leaf;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of a renewal that did not happen, from a real relay serving certbot-shaped
 * files made by openssl: the certificate's notAfter in /metrics, the health check's {@code rtmps}
 * field and DEGRADED status, and {@code event=tls_certificate_expiring} at start. (The daily
 * check and the reload are timed in virtual time in relay-rtmp's IngestTlsTest.)
 */
class RtmpsCertificateExpiryTest {
    private static final String METRICS_TOKEN = TestKeys.token();
    private static Path work;
    private static Authority ca;

    private final LogLines logLines = new LogLines().attach();
    private RelayServer relay;

    @BeforeAll
    static void authority() throws Exception {
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "rtmps-expiry-");
        ca = Certificates.authority(work.resolve("ca"), "Expiry Test CA");
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        logLines.detach();
    }

    @Test
    void aCertificateWithThreeDaysLeftIsInTheMetricsTheHealthCheckAndTheLog() throws Exception {
        Leaf leaf = Certificates.leaf(ca, work, "three-days", "relay-three-days", KeyFormat.RSA_PKCS8, 3);
        startRelay(leaf);
        long notAfter = leafOf(leaf).getNotAfter().toInstant().getEpochSecond();

        assertEquals(notAfter, (long) sample(metrics(), "relay_tls_certificate_expiry_timestamp_seconds"));

        JsonNode health = new RelayHttp(relay.httpPort()).call("GET", "/api/v1/server/healthcheck", null, null, 200);
        assertEquals("DEGRADED", health.get("status").asText(), health.toString());
        assertEquals(java.time.Instant.ofEpochSecond(notAfter).toString(), health.at("/rtmps/certificateExpiresAt").asText());
        assertEquals(2, health.at("/rtmps/daysLeft").asLong(), "three days from its making, rounded down: " + health);
        assertEquals("EXPIRING", health.at("/rtmps/status").asText(), health.toString());
        assertTrue(health.at("/warnings/0").asText().contains("RTMPS certificate expires in 2 days"), health.toString());

        List<String> expiring = logLines.containing("event=tls_certificate_expiring");
        assertEquals(1, expiring.size(), logLines.all.toString());
        assertTrue(expiring.get(0).startsWith("event=tls_certificate_expiring days_left=2 subject=\"CN=relay-three-days\""),
                expiring.get(0));
    }

    @Test
    void aCertificateWithNinetyDaysLeftIsInTheMetricsAndTheHealthCheckIsOk() throws Exception {
        Leaf leaf = Certificates.leaf(ca, work, "ninety-days", "relay-ninety-days", KeyFormat.EC_PKCS8, 90);
        startRelay(leaf);

        assertEquals(leafOf(leaf).getNotAfter().toInstant().getEpochSecond(),
                (long) sample(metrics(), "relay_tls_certificate_expiry_timestamp_seconds"));
        JsonNode health = new RelayHttp(relay.httpPort()).call("GET", "/api/v1/server/healthcheck", null, null, 200);
        assertEquals("OK", health.get("status").asText(), health.toString());
        assertEquals(89, health.at("/rtmps/daysLeft").asLong(), health.toString());
        assertEquals("OK", health.at("/rtmps/status").asText(), health.toString());
        assertEquals(List.of(), logLines.containing("event=tls_certificate_expiring"));
    }

    @Test
    void withoutRtmpsThereIsNoCertificateSeriesNorField() throws Exception {
        relay = RelayServer.start(TestRelayConfig.with("RELAY_METRICS_TOKEN", METRICS_TOKEN), new StaticStreamCatalog(List.of()));
        assertTrue(!metrics().contains("relay_tls_certificate"), "no RTMPS, no certificate series");
        JsonNode health = new RelayHttp(relay.httpPort()).call("GET", "/api/v1/server/healthcheck", null, null, 200);
        assertTrue(!health.has("rtmps"), health.toString());
    }

    private void startRelay(Leaf leaf) throws Exception {
        relay = RelayServer.start(TestRelayConfig.with("RELAY_TLS_CERT_FILE", leaf.fullChain().toString(),
                "RELAY_TLS_KEY_FILE", leaf.privateKey().toString(), "RELAY_RTMPS_PORT", "0",
                "RELAY_METRICS_TOKEN", METRICS_TOKEN), new StaticStreamCatalog(List.of()));
    }

    /** The leaf itself, read from its file as the relay reads it. */
    private static X509Certificate leafOf(Leaf leaf) throws Exception {
        try (InputStream in = Files.newInputStream(leaf.fullChain())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private String metrics() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + relay.httpPort() + "/metrics"))
                .header("Authorization", "Bearer " + METRICS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static double sample(String text, String series) {
        // Every sample carries the node label (several nodes share one scraper): {node="..."}.
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "\\{node=\"[^\"]*\"\\} ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), series + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
