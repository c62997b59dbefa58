package io.streamhelper.relay.rtmp.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationRejectedException;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The publishing client against a real nginx-rtmp, plain and behind TLS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RtmpDestinationConnectorTest {
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private HookServer hooks;
    private NginxRtmp nginx;

    @BeforeAll
    void start() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "client-");
        hooks = new HookServer();
        nginx = NginxRtmp.start(work, NginxRtmp.options().hooks(hooks).tls(true));
    }

    @AfterAll
    void stop() {
        nginx.close();
        hooks.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final String plainKey = TestKeys.destination();
    private final String tlsKey = TestKeys.destination();
    private final String untrustedKey = TestKeys.destination();
    private final String wrongNameKey = TestKeys.destination();
    private final String refusedKey = TestKeys.destination();

    private static DestinationTarget target(String url, String key) {
        return new DestinationTarget("t", "test", url, Secret.of(key));
    }

    @Test
    void publishesLikeAnEncoderAndUnpublishesCleanly() throws Exception {
        RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults());
        LinkOutcome outcome = new LinkOutcome();
        connector.connect(target(nginx.rtmpUrl(), plainKey), outcome);
        DestinationLink link = outcome.live.get(10, TimeUnit.SECONDS);
        assertTrue(hooks.saw("publish", plainKey));
        assertEquals("live", hooks.calls("publish").get(0).app());
        link.close();
        assertInstanceOf(LinkOutcome.NoCause.class, outcome.closed.get(10, TimeUnit.SECONDS), "closed by us: no error");
        await().atMost(Duration.ofSeconds(5)).until(() -> hooks.saw("publish_done", plainKey));
        assertTrue(link.bytesSent() > 3073, "handshake and commands were counted");
    }

    /**
     * With the server's default policy (public addresses only), a destination whose name leads to
     * loopback is refused when the client dials, whatever it resolved to when it was saved: the
     * real nginx on 127.0.0.1 never sees a connection, and the failure says why.
     */
    @Test
    void aPrivateAddressIsRefusedAtConnectTime() throws Exception {
        String key = TestKeys.destination();
        RtmpDestinationConnector connector = new RtmpDestinationConnector(group,
                ClientSettings.defaults().withAddressPolicy(AddressPolicy.publicOnly()));
        for (String url : new String[] {nginx.rtmpUrl(), nginx.rtmpUrl().replace("127.0.0.1", "localhost")}) {
            LinkOutcome outcome = new LinkOutcome();
            connector.connect(target(url, key), outcome);
            Throwable cause = outcome.closed.get(10, TimeUnit.SECONDS);
            assertTrue(String.valueOf(cause.getMessage()).contains("private"), url + ": " + cause);
        }
        assertFalse(hooks.saw("publish", key), "nothing reached the private address");
    }

    /**
     * A stored key that does not decrypt (a keyset changed, a row copied from elsewhere) fails
     * when the client needs it, in the middle of the RTMP conversation. The failure must still
     * reach the listener with words the owner can act on: before, redacting the error opened the
     * key again, threw again, and the link was never reported closed (stuck in "connecting").
     */
    @Test
    void aStoredKeyThatDoesNotDecryptIsReportedAsSuch() throws Exception {
        RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults());
        Secret broken = Secret.sealed(() -> {
            throw new SecretDecryptionException("the ciphertext does not open", null);
        });
        LinkOutcome outcome = new LinkOutcome();
        connector.connect(new DestinationTarget("t", "test", nginx.rtmpUrl(), broken), outcome);
        Throwable cause = outcome.closed.get(10, TimeUnit.SECONDS);
        assertTrue(String.valueOf(cause.getMessage()).contains("could not be decrypted"), String.valueOf(cause));
        assertTrue(outcome.live.isCompletedExceptionally(), "never live");
    }

    @Test
    void rtmpsVerifiesTheCertificateAgainstTheExtraCa() throws Exception {
        RtmpDestinationConnector trusting = new RtmpDestinationConnector(group,
                ClientSettings.defaults().withTrustedCaFile(nginx.caCertificatePem()));
        LinkOutcome ok = new LinkOutcome();
        trusting.connect(target(nginx.rtmpsUrl(), tlsKey), ok);
        ok.live.get(10, TimeUnit.SECONDS).close();
        assertTrue(hooks.saw("publish", tlsKey));

        // Without the test CA the system trust store does not know the certificate: no publish.
        RtmpDestinationConnector systemOnly = new RtmpDestinationConnector(group, ClientSettings.defaults());
        LinkOutcome refused = new LinkOutcome();
        systemOnly.connect(target(nginx.rtmpsUrl(), untrustedKey), refused);
        Throwable cause = refused.closed.get(10, TimeUnit.SECONDS);
        assertTrue(hasCause(cause, SSLHandshakeException.class), "TLS refused the certificate: " + cause);
        assertFalse(hooks.saw("publish", untrustedKey));

        // A trusted certificate presented under a name it does not hold is refused too.
        LinkOutcome wrongName = new LinkOutcome();
        trusting.connect(target(nginx.rtmpsUrlWithWrongName(), wrongNameKey), wrongName);
        Throwable mismatch = wrongName.closed.get(10, TimeUnit.SECONDS);
        assertTrue(hasCause(mismatch, SSLHandshakeException.class), "host name checked: " + mismatch);
        assertFalse(hooks.saw("publish", wrongNameKey));
    }

    @Test
    void aDestinationThatRefusesTheKeyIsReportedAsRejectedWithoutTheKey() throws Exception {
        hooks.refuse(refusedKey);
        RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults());
        LinkOutcome outcome = new LinkOutcome();
        connector.connect(target(nginx.rtmpUrl(), refusedKey), outcome);
        Throwable cause = outcome.closed.get(10, TimeUnit.SECONDS);
        assertInstanceOf(DestinationRejectedException.class, cause);
        assertTrue(((DestinationRejectedException) cause).isInferred(), "nginx-rtmp refuses by hanging up, without a status");
        assertFalse(cause.getMessage().contains(refusedKey), "no key in errors: " + cause.getMessage());
    }

    @Test
    void malformedUrlsFailWithoutConnecting() throws Exception {
        RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults());
        LinkOutcome outcome = new LinkOutcome();
        connector.connect(target("http://example.com/live", "k"), outcome);
        Throwable cause = outcome.closed.get(5, TimeUnit.SECONDS);
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertThrows(IllegalArgumentException.class, () -> RtmpUrl.parse("rtmp:///nohost"));
    }

    @Test
    void urlsKeepSchemePortAndApplication() {
        RtmpUrl youtube = RtmpUrl.parse("rtmps://a.rtmps.youtube.com:443/live2");
        assertTrue(youtube.secure());
        assertEquals(443, youtube.port());
        assertEquals("live2", youtube.app());
        assertEquals("rtmps://a.rtmps.youtube.com:443/live2", youtube.tcUrl());
        RtmpUrl twitch = RtmpUrl.parse("rtmp://live.twitch.tv/app/");
        assertEquals(1935, twitch.port());
        assertEquals("app", twitch.app());
        assertEquals("rtmp://live.twitch.tv/app", twitch.tcUrl());
        RtmpUrl backup = RtmpUrl.parse("rtmps://b.rtmps.youtube.com/live2?backup=1");
        assertEquals(443, backup.port());
        assertEquals("live2?backup=1", backup.app());
        RtmpUrl instance = RtmpUrl.parse("rtmp://host:1936/app/instance");
        assertEquals("app/instance", instance.app());
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
