package io.streamhelper.relay.app;

import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import io.streamhelper.relay.logging.Redactor;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Starts the relay on the settings from the environment; stops it cleanly on SIGTERM/SIGINT. */
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
            config = RelayConfig.fromEnvironment(System.getenv());
            catalog = config.streamsFile().isPresent()
                    ? StreamsFile.read(config.streamsFile().get())
                    : new StaticStreamCatalog(List.of());
        } catch (RelayConfig.InvalidConfigException | java.io.IOException e) {
            // A parser's message may quote the streams file, keys included.
            System.err.println("streamhelper-relay: " + Redactor.redact(e.getMessage()));
            System.exit(2);
            return;
        }
        RelayServer server = RelayServer.start(config, catalog);
        ShutdownOnSignal.install(server);
        System.out.printf("streamhelper-relay: RTMP ingest on port %d (rtmp://<host>:%d/live/<stream key>), HTTP on port %d, %d stream(s) configured%n",
                server.rtmpPort(), server.rtmpPort(), server.httpPort(), catalog.entries().size());
    }
}
