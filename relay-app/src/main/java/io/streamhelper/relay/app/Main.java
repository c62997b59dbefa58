package io.streamhelper.relay.app;

import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import java.util.List;

/** Starts the relay on the settings from the environment; stops it cleanly on SIGTERM/SIGINT. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        RelayConfig config;
        StaticStreamCatalog catalog;
        try {
            config = RelayConfig.fromEnvironment(System.getenv());
            catalog = config.streamsFile().isPresent()
                    ? StreamsFile.read(config.streamsFile().get())
                    : new StaticStreamCatalog(List.of());
        } catch (RelayConfig.InvalidConfigException | java.io.IOException e) {
            System.err.println("streamhelper-relay: " + e.getMessage());
            System.exit(2);
            return;
        }
        RelayServer server = RelayServer.start(config, catalog);
        ShutdownOnSignal.install(server);
        System.out.printf("streamhelper-relay: RTMP ingest on port %d (rtmp://<host>:%d/live/<stream key>), HTTP on port %d, %d stream(s) configured%n",
                server.rtmpPort(), server.rtmpPort(), server.httpPort(), catalog.entries().size());
    }
}
