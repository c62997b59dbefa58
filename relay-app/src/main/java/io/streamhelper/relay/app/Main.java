package io.streamhelper.relay.app;

import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import io.streamhelper.relay.logging.Redactor;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** Starts the relay on the settings from the environment (and RELAY_CONFIG_FILE); stops it cleanly on SIGTERM/SIGINT. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
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
        System.out.printf("streamhelper-relay: RTMP ingest on port %d (rtmp://<host>:%d/live/<stream key>), HTTP on port %d, %d stream(s) configured%n",
                server.rtmpPort(), server.rtmpPort(), server.httpPort(), catalog.entries().size());
    }
}
