package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.catalog.store.ClusterStore.Lease;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL database, each a real StreamRegistry with its ClusterOwnership and
 * ClusterNode, sharing the in-memory bus: a stream live on a is refused on b; once a's publisher
 * is lost (a holds it in its grace), a publish on b takes it over, and a's destination has
 * unpublished before b's connects. Destinations are links in memory that record, in one list
 * for both nodes, when each is opened and closed.
 */
class ClusterTakeoverOnPostgresTest {
    private final ClusterDatabase db = new ClusterDatabase();
    private final ClusterStore store = db.database.cluster();
    private final InMemoryClusterBus bus = new InMemoryClusterBus();
    private final List<String> destinationEvents = new CopyOnWriteArrayList<>();
    private final long streamId = db.stream();
    private final String ingestKey = TestKeys.ingest();
    private final Node a = new Node("a");
    private final Node b = new Node("b");

    /** One node: its loop, registry, lease and cluster membership, every timer of the cluster virtual. */
    private final class Node {
        final String name;
        final EventLoop loop = new DefaultEventLoop();
        final ManualScheduler clock = new ManualScheduler();
        final ClusterOwnership ownership;
        final StreamRegistry registry;
        final ClusterNode node;
        final List<SessionReport> ended = new CopyOnWriteArrayList<>();

        Node(String name) {
            this.name = name;
            Timers timers = Timers.of((d, t) -> clock.schedule(d, t)::cancel, clock::nanoTime);
            ownership = new ClusterOwnership(store, bus, name, timers);
            DestinationTarget target = new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(TestKeys.destination()));
            StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                    new StreamGrant(String.valueOf(streamId), "S"), Secret.of(ingestKey), List.of(target))));
            registry = new StreamRegistry(catalog, catalog, connector(name), StreamRegistry.Settings.defaults()
                    .withPublisherGrace(Duration.ofSeconds(30))
                    .withOwnership(ownership)
                    .withListener(new StreamRegistry.Listener() {
                        @Override
                        public void streamEnded(LiveStream stream, SessionReport session) {
                            ended.add(session);
                        }
                    }));
            node = new ClusterNode(store, ownership, bus, ClusterNode.Streams.of(registry), () -> "{}", timers,
                    Runnable::run, Runnable::run);
            node.start();
        }

        Publication publish() throws PublishRejectedException {
            // As from a catalog-read thread: the claim may wait.
            return registry.beginPublish(ingestKey, loop, "203.0.113.7:5000");
        }

        void close() {
            registry.stopAccepting();
            registry.liveStreams().forEach(registry::endPublish);
            node.close();
            ownership.close();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Links that record "a: open" and "a: closed"; a close reports at once, as after a quick goodbye. */
    private DestinationConnector connector(String node) {
        return (target, listener) -> {
            destinationEvents.add(node + ": open");
            return new DestinationLink() {
                @Override
                public void send(MediaMessage message) {
                    message.release();
                }

                @Override
                public boolean isWritable() {
                    return true;
                }

                @Override
                public long bytesSent() {
                    return 0;
                }

                @Override
                public void close() {
                    destinationEvents.add(node + ": closed");
                    listener.onClosed(this, null);
                }

                @Override
                public void abort(Throwable reason) {
                    close();
                }
            };
        };
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        bus.close();
        db.close();
    }

    @Test
    void aStreamLiveOnANodeIsRefusedOnAnotherAndTakenOverOnceItsPublisherIsLost() throws Exception {
        Publication onA = a.publish();
        await().atMost(Duration.ofSeconds(5)).until(() -> destinationEvents.equals(List.of("a: open")));

        PublishRejectedException refused = assertThrows(PublishRejectedException.class, b::publish);
        assertEquals(PublishRejectedException.Reason.ALREADY_LIVE, refused.reason());
        assertEquals(List.of("a: open"), destinationEvents, "b touched no destination");

        a.loop.submit(() -> onA.lost("connection closed")).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(streamId, ClusterOwnership.EXPIRY)
                .map(l -> l.state().equals(Lease.RECONNECTING)).orElse(false));

        Publication onB = b.publish();
        assertEquals(List.of("a: open", "a: closed", "b: open"), destinationEvents,
                "a's destination unpublished before b's published: never two at once");
        assertEquals(String.valueOf(streamId), onB.stream().id());
        assertTrue(a.registry.liveStreams().isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.ended.isEmpty());
        assertEquals(EndReason.MOVED, a.ended.get(0).endReason());
        assertEquals(new Lease(streamId, "b", Lease.LIVE, true), store.lease(streamId, ClusterOwnership.EXPIRY).orElseThrow());
        assertEquals(1, bus.sent(ClusterNotice.Kind.RELEASE).size());
        assertEquals(List.of(ClusterNotice.to("b", ClusterNotice.Kind.RELEASED, streamId, "a")),
                bus.sent(ClusterNotice.Kind.RELEASED));

        PublishRejectedException back = assertThrows(PublishRejectedException.class, a::publish);
        assertEquals(PublishRejectedException.Reason.ALREADY_LIVE, back.reason(), "now a is the other node");
        b.loop.submit(onB::end).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(streamId, ClusterOwnership.EXPIRY).isEmpty());
    }
}
