package io.streamhelper.relay.app;

import io.streamhelper.relay.core.secret.Secret;
import io.streamhelper.relay.rtmp.ingest.ConnectionLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        Optional<Secret> metricsToken) {

    public static final Path DEFAULT_STREAMS_FILE = Path.of("relay-streams.json");

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
        logLevel(env, "RELAY_LOG_LEVEL", problems);
        logLevel(env, "RELAY_LIBRARY_LOG_LEVEL", problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException("invalid configuration: " + String.join("; ", problems));
        }
        return new RelayConfig(bind, rtmp, http, ca, streams, Duration.ofMillis(idleMs),
                new ConnectionLimits(Duration.ofMillis(handshakeMs), (int) maxConnections, (int) maxPerAddress), metricsToken);
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
