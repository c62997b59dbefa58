package io.streamhelper.relay.app;

import io.streamhelper.relay.api.ApiServer;
import io.streamhelper.relay.api.ClientAddressResolver;
import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.AudioHold;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.chunk.MessageBufferLimits;
import io.streamhelper.relay.rtmp.ingest.ConnectionLimits;
import io.streamhelper.relay.rtmp.ingest.tls.TlsFiles;
import io.streamhelper.relay.rtmp.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Every setting of the server, read once at start-up from environment variables. Bad values stop
 * the server with a message naming the setting; docs/configuration.md lists them all.
 */
public record RelayConfig(
        String bindAddress,
        int rtmpPort,
        int httpPort,
        Optional<Path> trustedCaFile,
        Optional<Path> streamsFile,
        Duration publishIdleTimeout,
        ConnectionLimits connectionLimits,
        Optional<Secret> metricsToken,
        Path dataDir,
        DatabaseSettings database,
        Optional<Secret> encryptionKey,
        Optional<Secret> encryptionKeyPrevious,
        Optional<Path> keysetFile,
        boolean allowSignup,
        boolean allowPrivateDestinations,
        Duration tokenLifetime,
        Optional<String> publicHost,
        int maxDestinationsPerStream,
        int maxDestinationsPerUser,
        long maxBodyBytes,
        ApiServer.RateLimits rateLimits,
        ClientAddressResolver clientAddresses,
        ChunkLimits chunkLimits,
        int maxPublishers,
        OptionalLong audioHoldMillis,
        int audioHoldFrom,
        String transport,
        Duration publishDeadline,
        MessageBufferLimits messageBuffers,
        Duration publisherGrace,
        Duration publisherTakeover,
        int sessionHistory,
        boolean rtmpEnabled,
        Optional<TlsFiles> tlsFiles,
        int rtmpsPort,
        String nodeId) {

    /** The RTMPS port when RELAY_TLS_CERT_FILE and RELAY_TLS_KEY_FILE are set and RELAY_RTMPS_PORT is not. */
    static final int DEFAULT_RTMPS_PORT = 1936;

    /** Whether the ingest also listens for RTMPS (a certificate and key are configured). */
    public boolean rtmpsEnabled() {
        return tlsFiles.isPresent();
    }

    /** How long audio may wait to go out with the next video frame on NIO; see docs/configuration.md. */
    static final long DEFAULT_AUDIO_HOLD_MS = 40;
    /** The smallest fan-out in which audio waits; see docs/configuration.md. */
    static final int DEFAULT_AUDIO_HOLD_FROM = 16;

    public static final Path DEFAULT_STREAMS_FILE = Path.of("relay-streams.json");

    /** Every setting the server reads; a settings file may name these and nothing else. */
    static final java.util.Set<String> SETTINGS = java.util.Set.of(
            "RELAY_BIND_ADDRESS", "RELAY_RTMP_PORT", "RELAY_HTTP_PORT", "RELAY_TRUSTED_CA_FILE", "RELAY_STREAMS_FILE",
            "RELAY_PUBLISH_IDLE_TIMEOUT_MS", "RELAY_HANDSHAKE_TIMEOUT_MS", "RELAY_MAX_CONNECTIONS",
            "RELAY_MAX_CONNECTIONS_PER_ADDRESS", "RELAY_METRICS_TOKEN", "RELAY_DATA_DIR", "RELAY_DATABASE_URL",
            "RELAY_DATABASE_USER", "RELAY_DATABASE_PASSWORD", "ENCRYPTION_KEY",
            "ENCRYPTION_KEY_PREVIOUS",
            "RELAY_KEYSET_FILE", "RELAY_ALLOW_SIGNUP", "RELAY_ALLOW_PRIVATE_DESTINATIONS", "RELAY_TOKEN_TTL_MINUTES",
            "RELAY_PUBLIC_HOST", "RELAY_MAX_DESTINATIONS_PER_STREAM", "RELAY_MAX_DESTINATIONS_PER_USER",
            "RELAY_MAX_BODY_BYTES", "RELAY_API_RATE_PER_ADDRESS", "RELAY_API_RATE_PER_USER", "RELAY_MAX_CHUNK_SIZE",
            "RELAY_MAX_MESSAGE_BYTES", "RELAY_MAX_CHUNK_STREAMS", "RELAY_MAX_PUBLISHERS", "RELAY_AUDIO_HOLD_MS",
            "RELAY_AUDIO_HOLD_FROM", "RELAY_TRANSPORT", "RELAY_LOG_LEVEL", "RELAY_LIBRARY_LOG_LEVEL", "RELAY_CONFIG_FILE",
            "RELAY_TRUSTED_PROXIES", "RELAY_PUBLISH_DEADLINE_MS", "RELAY_INGEST_BUFFER_BUDGET_BYTES",
            "RELAY_PUBLISHER_GRACE_S", "RELAY_PUBLISHER_TAKEOVER_MS", "RELAY_SESSION_HISTORY", "RELAY_RTMP_ENABLED", "RELAY_RTMPS_PORT",
            "RELAY_TLS_CERT_FILE", "RELAY_TLS_KEY_FILE", "RELAY_NODE_ID");

    /** Thrown when a setting is malformed; the message says which one and why. */
    public static final class InvalidConfigException extends RuntimeException {
        InvalidConfigException(String message) {
            super(message);
        }
    }

    public static RelayConfig fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String bind = env.getOrDefault("RELAY_BIND_ADDRESS", "0.0.0.0");
        int rtmp = port(env, "RELAY_RTMP_PORT", 1935, problems);
        int http = port(env, "RELAY_HTTP_PORT", 8080, problems);
        boolean rtmpEnabled = flag(env, "RELAY_RTMP_ENABLED", true, problems);
        Optional<TlsFiles> tls = tlsFiles(env, problems);
        int rtmps = port(env, "RELAY_RTMPS_PORT", DEFAULT_RTMPS_PORT, problems);
        if (tls.isEmpty() && env.get("RELAY_RTMPS_PORT") != null && !env.get("RELAY_RTMPS_PORT").isBlank()) {
            problems.add("RELAY_RTMPS_PORT is set but RTMPS is off: set RELAY_TLS_CERT_FILE and RELAY_TLS_KEY_FILE");
        }
        if (tls.isEmpty() && !rtmpEnabled) {
            problems.add("RELAY_RTMP_ENABLED=false needs RTMPS (RELAY_TLS_CERT_FILE and RELAY_TLS_KEY_FILE): "
                    + "the server would take no publisher");
        }
        if (tls.isPresent() && rtmpEnabled && rtmps == rtmp && rtmps != 0) {
            problems.add("RELAY_RTMPS_PORT and RELAY_RTMP_PORT are both " + rtmps + ": RTMPS needs a port of its own");
        }
        Optional<Path> ca = readableFile(env, "RELAY_TRUSTED_CA_FILE", problems);
        Optional<Path> streams = readableFile(env, "RELAY_STREAMS_FILE", problems);
        if (streams.isEmpty() && !env.containsKey("RELAY_STREAMS_FILE") && Files.isReadable(DEFAULT_STREAMS_FILE)) {
            streams = Optional.of(DEFAULT_STREAMS_FILE);
        }
        long idleMs = number(env, "RELAY_PUBLISH_IDLE_TIMEOUT_MS", 10_000, 1_000, 600_000, problems);
        ConnectionLimits defaults = ConnectionLimits.DEFAULT;
        long handshakeMs = number(env, "RELAY_HANDSHAKE_TIMEOUT_MS", defaults.handshakeTimeout().toMillis(), 500, 60_000, problems);
        long maxConnections = number(env, "RELAY_MAX_CONNECTIONS", defaults.maxConnections(), 1, 100_000, problems);
        long maxPerAddress = number(env, "RELAY_MAX_CONNECTIONS_PER_ADDRESS", defaults.maxConnectionsPerAddress(), 1, 100_000, problems);
        Optional<Secret> metricsToken = Optional.ofNullable(env.get("RELAY_METRICS_TOKEN")).filter(t -> !t.isBlank()).map(Secret::of);
        if (metricsToken.isPresent() && metricsToken.get().reveal().length() < 16) {
            problems.add("RELAY_METRICS_TOKEN must be at least 16 characters");
        }
        Path dataDir = writableDirectory(env, "RELAY_DATA_DIR", Path.of("data"), problems);
        DatabaseSettings database = database(env, dataDir, problems);
        Optional<Secret> encryptionKey = Optional.ofNullable(env.get("ENCRYPTION_KEY")).filter(k -> !k.isBlank())
                .map(String::trim).map(Secret::of);
        if (encryptionKey.isPresent() && !encryptionKey.get().reveal().matches("[0-9a-fA-F]{64}")) {
            // Never echo the value: it is (meant to be) the master key.
            problems.add("ENCRYPTION_KEY must be 64 hexadecimal characters (32 bytes), e.g. from `openssl rand -hex 32`");
        }
        // Opens only: for finishing a key rotation that was interrupted (docs/security.md).
        Optional<Secret> encryptionKeyPrevious = Optional.ofNullable(env.get("ENCRYPTION_KEY_PREVIOUS"))
                .filter(k -> !k.isBlank()).map(String::trim).map(Secret::of);
        if (encryptionKeyPrevious.isPresent() && !encryptionKeyPrevious.get().reveal().matches("[0-9a-fA-F]{64}")) {
            problems.add("ENCRYPTION_KEY_PREVIOUS must be 64 hexadecimal characters (32 bytes)");
        }
        if (encryptionKeyPrevious.isPresent() && encryptionKey.isEmpty()) {
            problems.add("ENCRYPTION_KEY_PREVIOUS needs ENCRYPTION_KEY (the key that seals)");
        }
        Optional<Path> keyset = readableFile(env, "RELAY_KEYSET_FILE", problems);
        if (encryptionKey.isPresent() && keyset.isPresent()) {
            problems.add("set either ENCRYPTION_KEY or RELAY_KEYSET_FILE, not both");
        }
        boolean allowSignup = flag(env, "RELAY_ALLOW_SIGNUP", false, problems);
        boolean allowPrivate = flag(env, "RELAY_ALLOW_PRIVATE_DESTINATIONS", false, problems);
        long tokenMinutes = number(env, "RELAY_TOKEN_TTL_MINUTES", 24 * 60, 5, 60L * 24 * 90, problems);
        Optional<String> publicHost = Optional.ofNullable(env.get("RELAY_PUBLIC_HOST")).map(String::trim)
                .filter(h -> !h.isEmpty());
        if (publicHost.isPresent() && !publicHost.get().matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            problems.add("RELAY_PUBLIC_HOST must be a host name or address, got '" + publicHost.get() + "'");
        }
        long perStream = number(env, "RELAY_MAX_DESTINATIONS_PER_STREAM", 100, 1, 1000, problems);
        long perUser = number(env, "RELAY_MAX_DESTINATIONS_PER_USER", 200, 1, 100_000, problems);
        long maxBody = number(env, "RELAY_MAX_BODY_BYTES", 64 * 1024, 1024, 16L * 1024 * 1024, problems);
        ChunkLimits chunkDefaults = ChunkLimits.DEFAULT;
        long maxChunk = number(env, "RELAY_MAX_CHUNK_SIZE", chunkDefaults.maxChunkSize(), 128, ChunkLimits.PROTOCOL_MAX_MESSAGE, problems);
        long maxMessage = number(env, "RELAY_MAX_MESSAGE_BYTES", chunkDefaults.maxMessageSize(), 128, ChunkLimits.PROTOCOL_MAX_MESSAGE, problems);
        long maxChunkStreams = number(env, "RELAY_MAX_CHUNK_STREAMS", chunkDefaults.maxChunkStreams(), 4, 65_599, problems);
        long maxPublishers = number(env, "RELAY_MAX_PUBLISHERS", 100, 1, 100_000, problems);
        long publishDeadlineMs = number(env, "RELAY_PUBLISH_DEADLINE_MS", 5_000, 500, 60_000, problems);
        long graceSeconds = number(env, "RELAY_PUBLISHER_GRACE_S", 30, 0, 3600, problems);
        long takeoverMs = number(env, "RELAY_PUBLISHER_TAKEOVER_MS", 2_000, 100, 60_000, problems);
        long sessionHistory = number(env, "RELAY_SESSION_HISTORY", DatabaseCatalog.DEFAULT_SESSION_HISTORY, 1, 1000, problems);
        long bufferBudget = number(env, "RELAY_INGEST_BUFFER_BUDGET_BYTES", MessageBufferLimits.DEFAULT_BUDGET_BYTES,
                1024 * 1024, 1L << 40, problems);
        if (bufferBudget < 2 * maxMessage && problems.isEmpty()) {
            // Below that, one publisher's two largest messages in assembly could exhaust it alone.
            problems.add("RELAY_INGEST_BUFFER_BUDGET_BYTES (" + bufferBudget + ") must be at least twice RELAY_MAX_MESSAGE_BYTES ("
                    + maxMessage + ")");
        }
        OptionalLong audioHold = env.containsKey("RELAY_AUDIO_HOLD_MS")
                ? OptionalLong.of(number(env, "RELAY_AUDIO_HOLD_MS", DEFAULT_AUDIO_HOLD_MS, 0, 1000, problems))
                : OptionalLong.empty();
        long audioHoldFrom = number(env, "RELAY_AUDIO_HOLD_FROM", DEFAULT_AUDIO_HOLD_FROM, 1, 100_000, problems);
        // io_uring where the kernel and container allow it: only there does the relay meet both
        // nginx-rtmp's CPU and a 20 ms latency at a hundred destinations. A destination lost on it
        // is reconnected even when io_uring's close of the dead socket never completes
        // (docs/benchmarks.md, "Current figures" and "Decision log").
        String transport = env.getOrDefault("RELAY_TRANSPORT", "auto").trim().toLowerCase(java.util.Locale.ROOT);
        if (!Transport.SETTINGS.contains(transport)) {
            problems.add("RELAY_TRANSPORT must be one of " + String.join(", ", Transport.SETTINGS) + ", got '"
                    + env.get("RELAY_TRANSPORT") + "'");
        }
        ApiServer.RateLimits rateDefaults = ApiServer.RateLimits.defaults();
        long perAddressRate = number(env, "RELAY_API_RATE_PER_ADDRESS", (long) rateDefaults.perAddressPerSecond(), 1, 100_000, problems);
        long perUserRate = number(env, "RELAY_API_RATE_PER_USER", (long) rateDefaults.perUserPerSecond(), 1, 100_000, problems);
        ClientAddressResolver clientAddresses = ClientAddressResolver.direct();
        try {
            clientAddresses = ClientAddressResolver.trusting(env.get("RELAY_TRUSTED_PROXIES"));
        } catch (IllegalArgumentException e) {
            problems.add("RELAY_TRUSTED_PROXIES must be a comma-separated list of addresses and CIDR blocks: "
                    + e.getMessage());
        }
        logLevel(env, "RELAY_LOG_LEVEL", problems);
        logLevel(env, "RELAY_LIBRARY_LOG_LEVEL", problems);
        String nodeId = nodeId(env, problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException("invalid configuration: " + String.join("; ", problems));
        }
        return new RelayConfig(bind, rtmp, http, ca, streams, Duration.ofMillis(idleMs),
                new ConnectionLimits(Duration.ofMillis(handshakeMs), (int) maxConnections, (int) maxPerAddress), metricsToken,
                dataDir, database, encryptionKey, encryptionKeyPrevious, keyset, allowSignup, allowPrivate, Duration.ofMinutes(tokenMinutes), publicHost,
                (int) perStream, (int) perUser, maxBody,
                // Bursts of several seconds' worth: a script setting up a hundred destinations in a
                // loop gets through; a flood does not.
                new ApiServer.RateLimits(perAddressRate, (int) perAddressRate * 4, perUserRate, (int) perUserRate * 10),
                clientAddresses,
                new ChunkLimits((int) maxChunk, (int) maxMessage, (int) maxChunkStreams), (int) maxPublishers,
                audioHold, (int) audioHoldFrom, transport, Duration.ofMillis(publishDeadlineMs),
                MessageBufferLimits.forMessageSize((int) maxMessage, bufferBudget),
                Duration.ofSeconds(graceSeconds), Duration.ofMillis(takeoverMs), (int) sessionHistory, rtmpEnabled, tls, rtmps,
                nodeId);
    }

    /** What a node id may be: it names the node in the database, health, stats, metrics labels and logs. */
    static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,63}");

    /**
     * RELAY_NODE_ID, or the host name: every node on one database needs its own (two nodes with
     * one id would take each other's streams for their own).
     */
    private static String nodeId(Map<String, String> env, List<String> problems) {
        String raw = blankToNull(env.get("RELAY_NODE_ID"));
        if (raw != null) {
            if (!NODE_ID.matcher(raw).matches()) {
                problems.add("RELAY_NODE_ID must be 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-', got '"
                        + (raw.length() > 80 ? raw.substring(0, 80) + "..." : raw) + "'");
            }
            return raw;
        }
        String host = hostName(env);
        if (NODE_ID.matcher(host).matches()) {
            return host;
        }
        // A host name longer than 63 characters, or with characters a node id cannot hold: only a
        // cluster needs the id to be unique, and a cluster's operator sets RELAY_NODE_ID.
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
        return cleaned.isEmpty() ? "relay" : cleaned.substring(0, Math.min(63, cleaned.length()));
    }

    /** HOSTNAME where the environment has it (Docker sets it to the container's), else the system's. */
    private static String hostName(Map<String, String> env) {
        String named = blankToNull(env.get("HOSTNAME"));
        if (named != null) {
            return named;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "relay";
        }
    }

    /**
     * PostgreSQL when RELAY_DATABASE_URL is set, else SQLite in the data directory. The URL is
     * never echoed: it may carry the password.
     */
    private static DatabaseSettings database(Map<String, String> env, Path dataDir, List<String> problems) {
        String url = blankToNull(env.get("RELAY_DATABASE_URL"));
        String user = blankToNull(env.get("RELAY_DATABASE_USER"));
        String password = env.get("RELAY_DATABASE_PASSWORD");
        password = password == null || password.isEmpty() ? null : password;
        if (url == null) {
            if (user != null || password != null) {
                problems.add("RELAY_DATABASE_USER and RELAY_DATABASE_PASSWORD need RELAY_DATABASE_URL "
                        + "(without it the database is SQLite in RELAY_DATA_DIR, which takes no login)");
            }
            return sqlite(dataDir);
        }
        try {
            return DatabaseSettings.postgresql(url, user, password);
        } catch (IllegalArgumentException e) {
            problems.add("RELAY_DATABASE_URL " + e.getMessage());
            return null; // never used: the problem stops the start
        }
    }

    private static DatabaseSettings sqlite(Path dataDir) {
        try {
            return DatabaseSettings.sqlite(dataDir);
        } catch (java.io.UncheckedIOException e) {
            return null; // RELAY_DATA_DIR's problem is on the list already
        }
    }

    private static String blankToNull(String raw) {
        return raw == null || raw.isBlank() ? null : raw.trim();
    }

    /**
     * The RTMPS certificate (full chain) and key files: both or neither. Only that they can be
     * read is checked here; what is in them is checked when the server loads them at start.
     */
    private static Optional<TlsFiles> tlsFiles(Map<String, String> env, List<String> problems) {
        Optional<Path> cert = readableFile(env, "RELAY_TLS_CERT_FILE", problems);
        Optional<Path> key = readableFile(env, "RELAY_TLS_KEY_FILE", problems);
        if (cert.isPresent() != key.isPresent()) {
            problems.add("RTMPS needs both RELAY_TLS_CERT_FILE (the full chain, e.g. certbot's fullchain.pem) and "
                    + "RELAY_TLS_KEY_FILE (its private key, privkey.pem); only "
                    + (cert.isPresent() ? "RELAY_TLS_CERT_FILE" : "RELAY_TLS_KEY_FILE") + " is set");
            return Optional.empty();
        }
        return cert.map(c -> new TlsFiles(c, key.get()));
    }

    /**
     * When audio waits for video on the transport the server runs on: as set, else 40 ms on NIO,
     * where the writes it saves keep the relay's CPU at nginx-rtmp's at a hundred destinations,
     * and not at all on io_uring, whose writes are cheap enough without it (docs/benchmarks.md,
     * "The audio hold on NIO").
     */
    AudioHold audioHold(Transport transport) {
        long millis = audioHoldMillis.orElse(transport == Transport.IO_URING ? 0 : DEFAULT_AUDIO_HOLD_MS);
        return new AudioHold(millis, audioHoldFrom);
    }

    private static int port(Map<String, String> env, String name, int fallback, List<String> problems) {
        return (int) number(env, name, fallback, 0, 65535, problems);
    }

    private static long number(Map<String, String> env, String name, long fallback, long min, long max, List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value < min || value > max) {
                problems.add(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(name + " must be a whole number, got '" + raw + "'");
            return fallback;
        }
    }

    private static boolean flag(Map<String, String> env, String name, boolean fallback, List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> {
                problems.add(name + " must be true or false, got '" + raw + "'");
                yield fallback;
            }
        };
    }

    /** The directory, created if missing; a problem if it cannot be created or written. */
    private static Path writableDirectory(Map<String, String> env, String name, Path fallback, List<String> problems) {
        String raw = env.get(name);
        Path dir = raw == null || raw.isBlank() ? fallback : Path.of(raw.trim());
        try {
            if (!Files.exists(dir)) {
                // Password hashes and encrypted keys live here: a directory we create is the
                // server user's alone. An existing one is the operator's to set up.
                Files.createDirectories(dir.toAbsolutePath().getParent());
                try {
                    Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectories(dir);
                }
            }
        } catch (java.io.IOException | SecurityException e) {
            problems.add(name + " points to " + dir + ", which cannot be created: " + e.getClass().getSimpleName());
            return dir;
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            problems.add(name + " points to " + dir + ", which is not a writable directory");
        }
        return dir;
    }
    /**
     * Logback reads the log levels itself (relay-logging's logback.xml) and quietly takes DEBUG for
     * a word it does not know; checked here so a typo stops the server instead.
     */
    private static void logLevel(Map<String, String> env, String name, List<String> problems) {
        String raw = env.get(name);
        if (raw != null && !raw.isBlank() && !LOG_LEVELS.contains(raw.trim().toUpperCase(java.util.Locale.ROOT))) {
            problems.add(name + " must be one of " + String.join(", ", LOG_LEVELS) + ", got '" + raw + "'");
        }
    }

    private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private static Optional<Path> readableFile(Map<String, String> env, String name, List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(raw.trim());
        if (!Files.isReadable(path)) {
            problems.add(name + " points to " + path + ", which is not a readable file");
        }
        return Optional.of(path);
    }
}
