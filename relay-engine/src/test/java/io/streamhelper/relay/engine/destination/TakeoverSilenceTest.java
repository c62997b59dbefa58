package io.streamhelper.relay.engine.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A takeover is for a publisher that has gone silent: the silence counted must be the current
 * publisher's own, never the gap before it got the stream. A publisher that just came back after
 * a long gap, and has not yet sent its first tag, is not silent: another publish with the key
 * right then is refused, not let in to close the connection that just came back.
 */
class TakeoverSilenceTest {
    private static final String STREAM = "s1";

    private final EventLoop loop = new DefaultEventLoop();
    private final EventLoop otherLoop = new DefaultEventLoop();
    private final List<MemoryLink> links = new CopyOnWriteArrayList<>();
    private final ManualScheduler clock = new ManualScheduler();
    private final String ingestKey = TestKeys.ingest();
    private final DestinationConnector connector = new DestinationConnector() {
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
    void tearDown() {
        links.forEach(MemoryLink::releaseAll);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        otherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, ts, b);
    }

    @Test
    void aPublisherJustBackFromALongGapIsNotTakenOverBeforeItCouldSendAnything() throws Exception {
        DestinationTarget target = new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(TestKeys.destination()));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant(STREAM, "S"), Secret.of(ingestKey), List.of(target))));
        StreamRegistry registry = new StreamRegistry(catalog, catalog, connector,
                StreamRegistry.Settings.defaults().withPublisherGrace(Duration.ofSeconds(30)));

        Publication first = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        loop.submit(() -> {
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, 1));
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
        }).get();
        loop.submit(() -> first.lost("connection closed")).get();
        loop.submit(() -> clock.advance(Duration.ofSeconds(10))).get(); // the encoder's reconnect takes 10 s

        Publication back = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        AtomicBoolean backClosed = new AtomicBoolean();
        back.onDisconnectRequest(() -> backClosed.set(true));
        loop.submit(() -> clock.advance(Duration.ofMillis(100))).get(); // its first tag is on its way

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get());
        assertEquals(PublishRejectedException.Reason.ALREADY_LIVE,
                assertInstanceOf(PublishRejectedException.class, refused.getCause()).reason());
        assertFalse(backClosed.get(), "the publisher that just came back keeps the stream");
        assertTrue(back.isCurrent());

        // Silent for the takeover time on its own account, it can be taken over as before.
        loop.submit(() -> clock.advance(StreamRegistry.Settings.DEFAULT_TAKEOVER_AFTER)).get();
        Publication next = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        assertTrue(backClosed.get());
        assertTrue(next.isCurrent());
        loop.submit(next::end).get();
    }
}
