package io.streamhelper.relay.rtmp.ingest.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.streamhelper.relay.engine.destination.Timers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTMPS ingest's TLS: the server context built from the certificate and key files, and its
 * renewal. {@link #poll} looks at both files' real path, modification time and size; when any
 * changed it reads them again, and only a pair that loads and matches replaces the context. New
 * connections take whichever context is current; an open connection keeps the one it started
 * with, since its SslHandler holds its own engine. The context is the one piece of mutable state
 * here, written only by {@link #poll} (on the poll's timer thread), read by any accept.
 * A certificate under {@link #EXPIRY_WARNING} from its end is logged at load, at reload and by
 * the daily {@link #checkExpiryDaily} check: certbot's renewal can fail quietly for weeks.
 */
public final class IngestTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestTls.class);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);
    /** Under this much validity left the certificate is said to be expiring: a renewal that did not happen. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(14);
    /** How often a certificate nothing replaced is looked at again (start and each reload look too). */
    public static final Duration EXPIRY_CHECK_INTERVAL = Duration.ofDays(1);
    /**
     * Whatever the JVM's own policy would allow (older JDK 17 builds and edited java.security
     * files still allow TLS 1.0/1.1): OBS (mbedTLS 2.28), ffmpeg (gnutls, openssl) and every
     * current encoder speak 1.2 or 1.3.
     */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /**
     * TLS 1.3's suites, then for 1.2 Mozilla's "intermediate" ECDHE suites: forward secret and
     * AEAD only. Netty's defaults would add static-RSA key exchange and CBC with SHA-1, which
     * no encoder needs. Suites this JVM lacks are dropped ({@link SupportedCipherSuiteFilter}).
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final TlsFiles files;
    /** The date, for how long the certificate has left; the server's is the system's, tests' virtual. */
    private final Clock clock;
    private volatile SslContext context;
    private volatile X509Certificate certificate;
    /** What the files looked like at the last load attempt, good or bad: a bad pair is retried once either file changes. */
    private List<Object> seen;
    private volatile boolean closed;
    private volatile Timers.Cancellable nextPoll;
    private volatile Timers.Cancellable nextExpiryCheck;

    private IngestTls(TlsFiles files, Clock clock, PemCredentials credentials, List<Object> seen) {
        this.files = files;
        this.clock = clock;
        this.seen = seen;
        use(credentials);
    }

    /** Loads the files once; a problem stops the caller (start-up) with {@link InvalidTlsFilesException}. */
    public static IngestTls load(TlsFiles files) {
        return load(files, Clock.systemUTC());
    }

    /** As {@link #load(TlsFiles)}, telling the certificate's time left by {@code clock}. */
    public static IngestTls load(TlsFiles files, Clock clock) {
        List<Object> seen = fingerprint(files);
        IngestTls tls = new IngestTls(files, clock, PemCredentials.load(files), seen);
        log.info("event=tls_loaded {}", describe(tls.certificate));
        warnIfOthersCanRead(files.privateKey());
        tls.checkExpiry();
        return tls;
    }

    /** Polls every {@code interval} on {@code timers} until {@link #close}; the server passes the accept loop, tests virtual time. */
    public IngestTls pollEvery(Timers timers, Duration interval) {
        repeat(timers, interval, this::poll, next -> nextPoll = next);
        return this;
    }

    /**
     * Looks at the certificate's time left every {@link #EXPIRY_CHECK_INTERVAL} on {@code timers}
     * until {@link #close}: a certificate that is never renewed is said to be expiring every day
     * from 14 days before, not only at the start or reload that may never come.
     */
    public IngestTls checkExpiryDaily(Timers timers) {
        repeat(timers, EXPIRY_CHECK_INTERVAL, this::checkExpiry, next -> nextExpiryCheck = next);
        return this;
    }

    private void repeat(Timers timers, Duration interval, Runnable task, Consumer<Timers.Cancellable> next) {
        if (!closed) {
            next.accept(timers.after(interval, () -> {
                task.run();
                repeat(timers, interval, task, next);
            }));
        }
    }

    /**
     * Reloads when either file changed since the last look. Returns whether the context was
     * replaced. A file that is missing, half written or not the key of the certificate keeps the
     * old context and says why in {@code event=tls_reload_failed}.
     */
    public boolean poll() {
        List<Object> now = fingerprint(files);
        if (now.equals(seen)) {
            return false;
        }
        seen = now;
        try {
            use(PemCredentials.load(files));
        } catch (InvalidTlsFilesException e) {
            log.warn("event=tls_reload_failed reason=\"{}\" keeping=\"{}\"", e.getMessage(), certificate.getSubjectX500Principal());
            return false;
        }
        log.info("event=tls_reloaded {}", describe(certificate));
        warnIfOthersCanRead(files.privateKey());
        checkExpiry();
        return true;
    }

    /**
     * Logs {@code event=tls_certificate_expiring days_left=N} (WARN; ERROR once expired) when the
     * certificate offered has less than {@link #EXPIRY_WARNING} left. {@code days_left} is whole
     * days, rounded down: 0 on the last day, negative once expired.
     */
    void checkExpiry() {
        X509Certificate cert = certificate;
        Instant notAfter = cert.getNotAfter().toInstant();
        Duration left = Duration.between(clock.instant(), notAfter);
        if (left.compareTo(EXPIRY_WARNING) >= 0) {
            return;
        }
        long daysLeft = Math.floorDiv(left.toSeconds(), Duration.ofDays(1).toSeconds());
        if (left.isNegative() || left.isZero()) {
            log.error("event=tls_certificate_expiring days_left={} expired=true {} note=\"RTMPS clients that check the certificate "
                    + "are refused: renew it\"", daysLeft, describe(cert));
        } else {
            log.warn("event=tls_certificate_expiring days_left={} {} note=\"the certificate was not renewed: check certbot\"",
                    daysLeft, describe(cert));
        }
    }

    /** A new server-side handler with the current context, for one accepted connection. */
    public SslHandler newHandler(ByteBufAllocator alloc, Duration handshakeTimeout) {
        SslHandler handler = context.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }

    /** The certificate new connections are offered now. */
    public X509Certificate certificate() {
        return certificate;
    }

    private void use(PemCredentials credentials) {
        try {
            context = SslContextBuilder.forServer(credentials.key(), credentials.chain().toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new InvalidTlsFilesException("the certificate in " + files.certificateChain() + " and the key in "
                    + files.privateKey() + " cannot make a TLS server context (" + e.getClass().getSimpleName() + ")");
        }
        certificate = credentials.leaf();
    }

    /**
     * The key is read at start and on renewal, so those are when its mode is said: a key others
     * can read is the stream's TLS for anyone with a shell on the host. Group-readable is
     * needless when the relay's own user owns the file; when another user (root, certbot) owns
     * it, a group is how docs/deployment.md gives the relay access, and is not warned about.
     * Only the path and the mode; a file system without POSIX modes says nothing.
     */
    private static void warnIfOthersCanRead(Path key) {
        Set<PosixFilePermission> mode;
        boolean ownKey;
        try {
            mode = Files.getPosixFilePermissions(key);
            ownKey = Files.getOwner(key).getName().equals(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return;
        }
        if (mode.contains(PosixFilePermission.OTHERS_READ) || (ownKey && mode.contains(PosixFilePermission.GROUP_READ))) {
            log.warn("event=tls_key_file_permissions path={} mode={} note=\"readable beyond the relay's user: chmod 600 it\"",
                    key, octal(mode));
        }
    }

    private static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal()); // OWNER_READ (ordinal 0) is 0400 ... OTHERS_EXECUTE (8) is 01
        }
        return String.format("%04o", bits);
    }

    private static String describe(X509Certificate cert) {
        return "subject=\"" + cert.getSubjectX500Principal().getName() + "\" serial=" + cert.getSerialNumber().toString(16)
                + " not_after=" + cert.getNotAfter().toInstant();
    }

    /** Real path (certbot's live/ files are symlinks into archive/), modification time and size of both files. */
    private static List<Object> fingerprint(TlsFiles files) {
        return List.of(look(files.certificateChain()), look(files.privateKey()));
    }

    private static Object look(Path file) {
        try {
            return List.of(file.toRealPath().toString(), Files.getLastModifiedTime(file).toMillis(), Files.size(file));
        } catch (IOException | SecurityException e) {
            return "unreadable";
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Timers.Cancellable next : Arrays.asList(nextPoll, nextExpiryCheck)) {
            if (next != null) {
                next.cancel();
            }
        }
    }
}
