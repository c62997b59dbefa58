package io.streamhelper.relay.app;

import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.logging.Redactor;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Starts the relay on the settings from the environment (and RELAY_CONFIG_FILE); stops it cleanly
 * on SIGTERM/SIGINT. {@code backup <dir>} and {@code restore <dir>} run instead of the server
 * (see {@link Command}, docs/backup.md).
 */
public final class Main {
    private Main() {
    }

    /** Netty's leak-detection properties; an operator who sets either keeps what they chose. */
    private static final List<String> LEAK_DETECTION_PROPERTIES =
            List.of("io.netty.leakDetection.level", "io.netty.leakDetectionLevel");

    public static void main(String[] args) throws Exception {
        Command command = Command.parse(args);
        switch (command.kind()) {
            case USAGE -> {
                command.problem().ifPresent(problem -> System.err.println("streamhelper-relay: " + problem));
                System.err.println(Command.USAGE);
                System.exit(2);
            }
            case BACKUP, RESTORE -> System.exit(MaintenanceCommand.run(command, System.getenv(), java.time.Clock.systemUTC(),
                    System.out, System.err));
            case SERVE -> serve();
        }
    }

    private static void serve() throws Exception {
        disableLeakSamplingUnlessAsked();
        disableRecyclerUnlessAsked();
        // The JVM prints an uncaught exception straight to stderr, past the log layout and its
        // redaction; sent through the logger instead, it is one redacted line like any other.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> LoggerFactory.getLogger(Main.class)
                .error("event=uncaught_exception thread={}", thread.getName(), e));
        RelayConfig config;
        StaticStreamCatalog catalog;
        try {
            Map<String, String> settings = ConfigFile.merge(System.getenv());
            // Logback reads its levels from system properties or the environment when it starts,
            // which is at the first log line, after this: a level set only in the file goes there.
            for (String level : List.of("RELAY_LOG_LEVEL", "RELAY_LIBRARY_LOG_LEVEL")) {
                if (settings.containsKey(level) && System.getenv(level) == null) {
                    System.setProperty(level, settings.get(level));
                }
            }
            config = RelayConfig.fromEnvironment(settings);
            catalog = config.streamsFile().isPresent()
                    ? StreamsFile.read(config.streamsFile().get())
                    : new StaticStreamCatalog(List.of());
        } catch (RelayConfig.InvalidConfigException | java.io.IOException e) {
            // A parser's message may quote the streams file, keys included.
            System.err.println("streamhelper-relay: " + Redactor.redact(e.getMessage()));
            System.exit(2);
            return;
        }
        RelayServer server;
        try {
            server = RelayServer.start(config, catalog);
        } catch (RuntimeException e) {
            // An unreadable keyset, a database that will not open, a port in use: say so and stop.
            LoggerFactory.getLogger(Main.class).error("event=startup_failed error=\"{}\"", e.getMessage(), e);
            System.err.println("streamhelper-relay: cannot start: " + Redactor.redact(String.valueOf(e.getMessage())));
            System.exit(2);
            return;
        }
        ShutdownOnSignal.install(server);
        server.banner().lines().forEach(System.out::println);
    }

    /**
     * Netty samples one pooled buffer in 128 for leak tracking by default, each with a stack trace.
     * The relay allocates several buffers per tag and destination (chunk headers, the chunked
     * composite), so at 100 destinations that sampling alone cost about 2 % of a core in
     * {@code bench/relay-bench.sh ours 100 20} (docs/benchmarks.md, "Decision log"). Leaks are caught
     * where they are cheap to catch: every test runs with paranoid detection and fails on a leak.
     * Must run before any Netty class loads; {@code -Dio.netty.leakDetection.level=simple} (or any
     * level) on the command line turns it back on.
     */
    static void disableLeakSamplingUnlessAsked() {
        if (LEAK_DETECTION_PROPERTIES.stream().noneMatch(p -> System.getProperty(p) != null)) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
    }

    /** Netty's object-pool settings; an operator who sets either keeps what they chose. */
    private static final List<String> RECYCLER_PROPERTIES =
            List.of("io.netty.recycler.maxCapacityPerThread", "io.netty.recycler.maxCapacity");

    /**
     * Netty recycles its small wrapper objects (buffer duplicates, outbound-buffer entries) through
     * per-thread pools whose hand-back is a lock-free queue operation. The relay makes a few of them
     * per tag and destination, and at 100 destinations that bookkeeping cost more than letting the
     * JVM allocate and collect them: about 0.5 % of a core in three alternating runs of
     * {@code bench/relay-bench.sh ours 100 20} (docs/benchmarks.md, "Decision log"). Pooled buffer
     * memory itself is unaffected. Must run before any Netty class loads.
     */
    static void disableRecyclerUnlessAsked() {
        if (RECYCLER_PROPERTIES.stream().noneMatch(p -> System.getProperty(p) != null)) {
            System.setProperty("io.netty.recycler.maxCapacityPerThread", "0");
        }
    }
}
