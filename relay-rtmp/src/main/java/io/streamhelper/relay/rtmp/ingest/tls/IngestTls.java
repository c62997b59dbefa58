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
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
 */
public final class IngestTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestTls.class);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);
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
    private volatile SslContext context;
    private volatile X509Certificate certificate;
    /** What the files looked like at the last load attempt, good or bad: a bad pair is retried once either file changes. */
    private List<Object> seen;
    private volatile boolean closed;
    private volatile Timers.Cancellable nextPoll;

    private IngestTls(TlsFiles files, PemCredentials credentials, List<Object> seen) {
        this.files = files;
        this.seen = seen;
        use(credentials);
    }

    /** Loads the files once; a problem stops the caller (start-up) with {@link InvalidTlsFilesException}. */
    public static IngestTls load(TlsFiles files) {
        List<Object> seen = fingerprint(files);
        IngestTls tls = new IngestTls(files, PemCredentials.load(files), seen);
        log.info("event=tls_loaded {}", describe(tls.certificate));
        warnIfOthersCanRead(files.privateKey());
        return tls;
    }

    /** Polls every {@code interval} on {@code timers} until {@link #close}; the server passes the accept loop, tests virtual time. */
    public IngestTls pollEvery(Timers timers, Duration interval) {
        schedule(timers, interval);
        return this;
    }

    private void schedule(Timers timers, Duration interval) {
        if (!closed) {
            nextPoll = timers.after(interval, () -> {
                poll();
                schedule(timers, interval);
            });
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
        return true;
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
        Timers.Cancellable poll = nextPoll;
        if (poll != null) {
            poll.cancel();
        }
    }
}
