package io.streamhelper.relay.app;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamhelper.relay.api.ApiServer;
import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import io.streamhelper.relay.core.stream.LiveStream;
import io.streamhelper.relay.core.stream.StreamRegistry;
import io.streamhelper.relay.rtmp.client.ClientSettings;
import io.streamhelper.relay.rtmp.client.RtmpDestinationConnector;
import io.streamhelper.relay.rtmp.ingest.IngestServer;
import io.streamhelper.relay.rtmp.ingest.IngestSettings;
import io.streamhelper.relay.core.destination.DestinationRelay;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All the wiring, by hand and in one place: event loops, registry, ingest, destination client, API. */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

    private final EventLoopGroup acceptors = new NioEventLoopGroup(1, new DefaultThreadFactory("rtmp-accept"));
    private final EventLoopGroup ingestLoops = new NioEventLoopGroup(0, new DefaultThreadFactory("rtmp-ingest"));
    private final EventLoopGroup clientLoops = new NioEventLoopGroup(0, new DefaultThreadFactory("rtmp-out"));
    private final StreamRegistry registry;
    private final IngestServer ingest;
    private final ApiServer api;

    private RelayServer(RelayConfig config, StaticStreamCatalog catalog) throws InterruptedException {
        ClientSettings clientSettings = ClientSettings.defaults().withTrustedCaFile(config.trustedCaFile().orElse(null));
        RtmpDestinationConnector connector = new RtmpDestinationConnector(clientLoops, clientSettings);
        registry = new StreamRegistry(catalog, catalog, connector);
        IngestSettings ingestSettings = IngestSettings.defaults(config.rtmpPort())
                .withBindAddress(config.bindAddress())
                .withIdleTimeout(config.publishIdleTimeout())
                .withConnectionLimits(config.connectionLimits());
        ingest = new IngestServer(ingestSettings, registry, acceptors, ingestLoops).start();
        api = new ApiServer(registry, Clock.systemUTC(), config.metricsToken()).start(config.bindAddress(), config.httpPort());
    }

    public static RelayServer start(RelayConfig config, StaticStreamCatalog catalog) throws InterruptedException {
        return new RelayServer(config, catalog);
    }

    public int rtmpPort() {
        return ingest.port();
    }

    public int httpPort() {
        return api.port();
    }

    public int openIngestConnections() {
        return ingest.openConnections();
    }

    public StreamRegistry registry() {
        return registry;
    }

    /**
     * Stops taking publishers, ends every live stream (each destination gets FCUnpublish and
     * deleteStream), then closes listeners and event loops.
     */
    @Override
    public void close() {
        log.info("event=shutdown phase=stop_accepting");
        registry.stopAccepting();
        ingest.close();
        api.close();

        log.info("event=shutdown phase=end_streams live_streams={}", registry.liveStreams().size());
        List<DestinationRelay> ending = new ArrayList<>();
        for (LiveStream stream : registry.liveStreams()) {
            ending.addAll(stream.relays());
            registry.endPublish(stream);
        }
        // Each destination gets FCUnpublish and deleteStream before its socket closes; give them
        // up to 3 s to be written and closed before the event loops go.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (ending.stream().anyMatch(DestinationRelay::hasOpenLink) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }

        log.info("event=shutdown phase=close_connections");
        ingestLoops.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        clientLoops.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        acceptors.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        log.info("event=relay_stopped");
    }
}
