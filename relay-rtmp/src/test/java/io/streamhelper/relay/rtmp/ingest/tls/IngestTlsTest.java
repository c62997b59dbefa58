package io.streamhelper.relay.rtmp.ingest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.testkit.Certificates;
import io.streamhelper.relay.testkit.Certificates.Authority;
import io.streamhelper.relay.testkit.Certificates.KeyFormat;
import io.streamhelper.relay.testkit.Certificates.Leaf;
import io.streamhelper.relay.testkit.ManualScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The RTMPS ingest's certificate files as an operator has them: certbot's PEM shapes, the
 * mistakes start-up must refuse, and renewal on disk, polled in virtual time.
 */
class IngestTlsTest {
    private static Path dir;
    private static Authority ca;
    private static Leaf first;
    private static Leaf second;
    /** Three days left: a renewal that did not happen. */
    private static Leaf expiring;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger tlsLog = (Logger) LoggerFactory.getLogger(IngestTls.class);
    private Path live;
    private TlsFiles files;

    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "tls-");
        ca = Certificates.authority(dir.resolve("ca"), "Ingest Test CA");
        first = Certificates.leaf(ca, dir, "first", "relay-first", KeyFormat.RSA_PKCS8);
        second = Certificates.leaf(ca, dir, "second", "relay-second", KeyFormat.EC_PKCS8);
        expiring = Certificates.leaf(ca, dir, "expiring", "relay-expiring", KeyFormat.RSA_PKCS8, 3);
    }

    @BeforeEach
    void liveFiles() throws Exception {
        live = Files.createTempDirectory(dir, "live-");
        files = new TlsFiles(live.resolve("fullchain.pem"), live.resolve("privkey.pem"));
        install(first);
        logged.start();
        tlsLog.addAppender(logged);
    }

    @AfterEach
    void detach() {
        tlsLog.detachAppender(logged);
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void readsTheKeyShapesCertbotAndOpensslWrite(KeyFormat format) throws Exception {
        Leaf leaf = Certificates.leaf(ca, dir, "format-" + format, "relay-" + format, format);
        IngestTls tls = IngestTls.load(new TlsFiles(leaf.fullChain(), leaf.privateKey()));
        assertEquals("CN=relay-" + format, tls.certificate().getSubjectX500Principal().getName());
    }

    @Test
    void aKeyOfAnotherCertificateStopsTheStartNamingBothFilesAndNoKeyBytes() throws Exception {
        Files.copy(second.privateKey(), files.privateKey(), StandardCopyOption.REPLACE_EXISTING);
        InvalidTlsFilesException e = assertThrows(InvalidTlsFilesException.class, () -> IngestTls.load(files));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        assertTrue(e.getMessage().contains(files.privateKey().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(files.certificateChain().toString()), e.getMessage());
        assertNoKeyMaterial(e.getMessage());
    }

    @Test
    void missingGarbageAndEncryptedFilesStopTheStartSayingWhatIsAccepted() throws Exception {
        Files.delete(files.certificateChain());
        InvalidTlsFilesException missing = assertThrows(InvalidTlsFilesException.class, () -> IngestTls.load(files));
        assertTrue(missing.getMessage().contains("cannot be read") && missing.getMessage().contains(files.certificateChain().toString()),
                missing.getMessage());

        install(first);
        Files.writeString(files.privateKey(), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        InvalidTlsFilesException encrypted = assertThrows(InvalidTlsFilesException.class, () -> IngestTls.load(files));
        assertTrue(encrypted.getMessage().contains("BEGIN PRIVATE KEY") && encrypted.getMessage().contains("unencrypted"),
                encrypted.getMessage());

        Files.writeString(files.certificateChain(), "not a certificate");
        InvalidTlsFilesException garbage = assertThrows(InvalidTlsFilesException.class, () -> IngestTls.load(files));
        assertTrue(garbage.getMessage().contains("BEGIN CERTIFICATE"), garbage.getMessage());
    }

    @Test
    void aRenewedCertificateIsTakenAtTheNextPollAndNotBefore() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        try (IngestTls tls = IngestTls.load(files).pollEvery(virtual(clock), Duration.ofSeconds(10))) {
            install(second);
            clock.advance(Duration.ofSeconds(9));
            assertEquals("CN=relay-first", subject(tls));
            clock.advance(Duration.ofSeconds(1));
            assertEquals("CN=relay-second", subject(tls));
            assertTrue(events().stream().anyMatch(m -> m.startsWith("event=tls_reloaded") && m.contains("relay-second")
                    && m.contains("not_after=")), events().toString());
            events().forEach(IngestTlsTest::assertNoKeyMaterial);
        }
        assertEquals(0, clock.pending(), "a closed ingest stops polling");
    }

    @Test
    void aHalfWrittenOrMismatchedRenewalKeepsTheOldCertificateUntilThePairIsWhole() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        try (IngestTls tls = IngestTls.load(files).pollEvery(virtual(clock), Duration.ofSeconds(10))) {
            // certbot's new chain half written: the old pair stays.
            String chain = Files.readString(second.fullChain());
            write(files.certificateChain(), chain.substring(0, chain.length() / 3));
            clock.advance(Duration.ofSeconds(10));
            assertEquals("CN=relay-first", subject(tls));
            assertTrue(events().stream().anyMatch(m -> m.startsWith("event=tls_reload_failed")), events().toString());

            // The whole new chain, the old key still there: mismatched, the old pair stays.
            write(files.certificateChain(), chain);
            clock.advance(Duration.ofSeconds(10));
            assertEquals("CN=relay-first", subject(tls));
            assertTrue(events().stream().anyMatch(m -> m.contains("does not belong")), events().toString());

            // The new key lands: the next poll takes the pair.
            write(files.privateKey(), Files.readString(second.privateKey()));
            clock.advance(Duration.ofSeconds(10));
            assertEquals("CN=relay-second", subject(tls));
            events().forEach(IngestTlsTest::assertNoKeyMaterial);
        }
    }

    @Test
    void unchangedFilesAreNotReadAgain() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        try (IngestTls tls = IngestTls.load(files).pollEvery(virtual(clock), Duration.ofSeconds(10))) {
            clock.advance(Duration.ofSeconds(60));
            assertFalse(tls.poll());
            assertTrue(events().stream().noneMatch(m -> m.startsWith("event=tls_reload")), events().toString());
        }
    }

    @Test
    void aKeyFileOthersCanReadIsWarnedAboutAtStartAndOnReloadWithItsModeNeverItsContent() throws Exception {
        Files.setPosixFilePermissions(files.privateKey(), PosixFilePermissions.fromString("rw-r--r--"));
        ManualScheduler clock = new ManualScheduler();
        try (IngestTls tls = IngestTls.load(files).pollEvery(virtual(clock), Duration.ofSeconds(10))) {
            assertEquals(List.of("event=tls_key_file_permissions path=" + files.privateKey() + " mode=0644"
                    + " note=\"readable beyond the relay's user: chmod 600 it\""), permissionWarnings());

            // A renewal keeps a key others can read (group-readable this time, and ours, so the
            // group is not how the relay reads it): said again.
            install(second);
            Files.setPosixFilePermissions(files.privateKey(), PosixFilePermissions.fromString("rw-r-----"));
            clock.advance(Duration.ofSeconds(10));
            assertEquals("CN=relay-second", subject(tls));
            assertEquals(2, permissionWarnings().size(), events().toString());
            assertTrue(permissionWarnings().get(1).contains(" mode=0640 "), permissionWarnings().toString());
            events().forEach(IngestTlsTest::assertNoKeyMaterial);
        }
    }

    @Test
    void aKeyFileOnlyItsOwnerCanReadIsNotWarnedAbout() throws Exception {
        Files.setPosixFilePermissions(files.privateKey(), PosixFilePermissions.fromString("rw-------"));
        ManualScheduler clock = new ManualScheduler();
        try (IngestTls tls = IngestTls.load(files).pollEvery(virtual(clock), Duration.ofSeconds(10))) {
            install(second);
            Files.setPosixFilePermissions(files.privateKey(), PosixFilePermissions.fromString("rw-------"));
            clock.advance(Duration.ofSeconds(10));
            assertEquals("CN=relay-second", subject(tls));
            assertEquals(List.of(), permissionWarnings());
        }
    }

    @Test
    void aCertificateUnderFourteenDaysFromExpiryIsSaidToBeExpiringAtStartAndOnReload() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        try (IngestTls tls = IngestTls.load(files).pollEvery(virtual(clock), Duration.ofSeconds(10))) {
            assertEquals(List.of(), expiringEvents(), "90 days left: nothing to say");

            install(expiring);
            clock.advance(Duration.ofSeconds(10));
            assertEquals("CN=relay-expiring", subject(tls));
            // Three days from its making, whole days rounded down: 2 (and some hours).
            assertEquals(1, expiringEvents().size(), events().toString());
            ILoggingEvent reload = expiringEvents().get(0);
            assertEquals(ch.qos.logback.classic.Level.WARN, reload.getLevel());
            assertTrue(reload.getFormattedMessage().startsWith("event=tls_certificate_expiring days_left=2 subject=\"CN=relay-expiring\""),
                    reload.getFormattedMessage());
            assertTrue(reload.getFormattedMessage().contains("not_after=" + tls.certificate().getNotAfter().toInstant()),
                    reload.getFormattedMessage());
        }
        logged.list.clear();
        IngestTls.load(files).close();
        assertEquals(1, expiringEvents().size(), "and at start: " + events());
        assertTrue(expiringEvents().get(0).getFormattedMessage().contains(" days_left=2 "), events().toString());
    }

    @Test
    void aCertificateNothingRenewsIsSaidToBeExpiringEveryDayFromFourteenDaysBeforeAndThenExpired() throws Exception {
        Leaf fresh = Certificates.leaf(ca, dir, "daily", "relay-daily", KeyFormat.EC_PKCS8, 90);
        install(fresh);
        Instant notAfter = IngestTls.load(files).certificate().getNotAfter().toInstant();
        logged.list.clear();
        ManualScheduler timers = new ManualScheduler();
        // Virtual dates: the relay starts an hour after the certificate was made.
        Instant start = notAfter.minus(Duration.ofDays(90)).plus(Duration.ofHours(1));
        try (IngestTls tls = IngestTls.load(files, timers.clock(start)).checkExpiryDaily(virtual(timers))) {
            timers.advance(Duration.ofDays(75)); // 15 days less an hour left at the last check
            assertEquals(List.of(), expiringEvents());

            timers.advance(Duration.ofDays(1)); // 14 days less an hour: under 14
            assertEquals(1, expiringEvents().size(), events().toString());
            assertTrue(expiringEvents().get(0).getFormattedMessage().startsWith("event=tls_certificate_expiring days_left=13 "),
                    events().toString());

            timers.advance(Duration.ofDays(13)); // one a day, down to the last day
            assertEquals(14, expiringEvents().size(), events().toString());
            assertTrue(expiringEvents().get(13).getFormattedMessage().contains(" days_left=0 "), events().toString());

            timers.advance(Duration.ofDays(1)); // an hour past notAfter
            ILoggingEvent expired = expiringEvents().get(14);
            assertEquals(ch.qos.logback.classic.Level.ERROR, expired.getLevel());
            assertTrue(expired.getFormattedMessage().startsWith("event=tls_certificate_expiring days_left=-1 expired=true "),
                    expired.getFormattedMessage());
        }
        assertEquals(0, timers.pending(), "a closed ingest stops checking");
    }

    private List<ILoggingEvent> expiringEvents() {
        return logged.list.stream().filter(e -> e.getFormattedMessage().startsWith("event=tls_certificate_expiring")).toList();
    }

    private List<String> permissionWarnings() {
        return logged.list.stream().filter(e -> e.getFormattedMessage().startsWith("event=tls_key_file_permissions"))
                .peek(e -> assertEquals(ch.qos.logback.classic.Level.WARN, e.getLevel()))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static Timers virtual(ManualScheduler clock) {
        return Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);
    }

    private static String subject(IngestTls tls) {
        return tls.certificate().getSubjectX500Principal().getName();
    }

    private List<String> events() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Copies a leaf's pair over the live files, each stamped later than anything before (as a renewal is). */
    private void install(Leaf leaf) throws Exception {
        write(files.certificateChain(), Files.readString(leaf.fullChain()));
        write(files.privateKey(), Files.readString(leaf.privateKey()));
    }

    private static int stamp;

    private static void write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(++stamp)));
    }

    /** No line of a private key's base64 (every PEM line of a key is 64 such characters). */
    private static void assertNoKeyMaterial(String text) {
        for (Leaf leaf : List.of(first, second)) {
            try {
                for (String line : Files.readAllLines(leaf.privateKey())) {
                    if (!line.startsWith("-----") && line.length() > 16) {
                        assertFalse(text.contains(line.substring(0, 16)), "key material in: " + text);
                    }
                }
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }
}
