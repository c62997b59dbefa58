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
import java.time.Clock;
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
        api = new ApiServer(registry, Clock.systemUTC()).start(config.bindAddress(), config.httpPort());
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
        registry.stopAccepting();
        ingest.close();
        for (LiveStream stream : registry.liveStreams()) {
            registry.endPublish(stream);
        }
        api.close();
        ingestLoops.shutdownGracefully(200, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        clientLoops.shutdownGracefully(200, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        acceptors.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        log.info("event=relay_stopped");
    }
}
