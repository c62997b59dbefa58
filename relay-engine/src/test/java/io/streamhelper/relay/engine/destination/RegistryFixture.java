package io.streamhelper.relay.engine.destination;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * What the tests of a stream outliving its publisher share: a registry of one stream ({@link
 * #STREAM}, with the key {@link #ingestKey} and one destination), destinations as
 * {@link MemoryLink}s in {@link #links}, every timer on the virtual {@link #clock}, the stream's
 * {@link #loop} and an {@link #otherLoop} for a publisher connected elsewhere. A test extends it;
 * the links' buffers are released and the loops stopped after each test.
 */
abstract class RegistryFixture {
    static final String STREAM = "s1";

    final EventLoop loop = new DefaultEventLoop();
    final EventLoop otherLoop = new DefaultEventLoop();
    final List<MemoryLink> links = new CopyOnWriteArrayList<>();
    final ManualScheduler clock = new ManualScheduler();
    final String ingestKey = TestKeys.ingest();
    /** The key of destination {@code d1}. */
    final String destinationKey = TestKeys.destination();
    final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            MemoryLink link = new MemoryLink(listener);
            links.add(link);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return DestinationRelayTest.virtualTimers(clock);
        }
    };

    @AfterEach
    void stopFixture() {
        links.forEach(MemoryLink::releaseAll);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        otherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The registry with the given publisher grace and otherwise the engine's defaults. */
    StreamRegistry newRegistry(Duration grace) {
        return newRegistry(StreamRegistry.Settings.defaults().withPublisherGrace(grace));
    }

    StreamRegistry newRegistry(StreamRegistry.Settings settings) {
        DestinationTarget target = new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(destinationKey));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant(STREAM, "S"), Secret.of(ingestKey), List.of(target))));
        return new StreamRegistry(catalog, catalog, connector, settings);
    }

    static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, ts, b);
    }
}
