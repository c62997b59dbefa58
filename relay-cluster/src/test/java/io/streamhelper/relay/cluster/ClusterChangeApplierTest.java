package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.cluster.OtherNodes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.catalog.service.DestinationService;
import io.streamhelper.relay.catalog.service.StreamService;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one real PostgreSQL database, each with its own Database, registry and bus: node
 * A's API services change a stream that is live on node B only, and B's registry follows within a
 * second. B's destinations are in-memory links (what they were opened for, whether they were
 * closed); B's bus waits in virtual time, so the test decides when it comes back after a loss.
 */
class ClusterChangeApplierTest {
    private static final Duration WITHIN = Duration.ofSeconds(1);

    private final BusDatabase database = new BusDatabase();
    private final EventLoop loopB = new DefaultEventLoop();
    private final ManualScheduler clock = new ManualScheduler();
    private final ManualScheduler busClock = new ManualScheduler();
    private final List<OpenedLink> links = new CopyOnWriteArrayList<>();
    private Database nodeA;
    private Database nodeB;
    private PgClusterBus busA;
    private PgClusterBus busB;
    private DatabaseCatalog catalogA;
    private DatabaseCatalog catalogB;
    private StreamRegistry registryB;
    private StreamService streamsA;
    private DestinationService destinationsA;
    private long owner;

    /** One link B's registry opened: for which destination and key, and whether it was closed since. */
    private static final class OpenedLink implements DestinationLink {
        final DestinationTarget target;
        final AtomicBoolean closed = new AtomicBoolean();

        OpenedLink(DestinationTarget target) {
            this.target = target;
        }

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
            closed.set(true);
        }

        @Override
        public void abort(Throwable cause) {
            closed.set(true);
        }
    }

    private final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            OpenedLink link = new OpenedLink(target);
            links.add(link);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);
        }
    };

    @BeforeEach
    void twoNodes() {
        nodeA = database.node();
        nodeB = database.node();
        busA = database.closing(PgClusterBus.start(nodeA, database.settings));
        PgClusterBus.Waiter virtual = delay -> {
            CountDownLatch due = new CountDownLatch(1);
            busClock.schedule(delay, due::countDown);
            due.await();
        };
        busB = database.closing(PgClusterBus.start(nodeB::notifyChannel, () -> PgClusterBus.listenConnection(database.settings),
                virtual, busClock::nanoTime));
        catalogA = catalog(nodeA);
        catalogB = catalog(nodeB);
        // A holds no stream: its registry's calls find nothing live, so only the bus reaches B.
        StreamRegistry registryA = new StreamRegistry(catalogA, catalogA, connector, StreamRegistry.Settings.defaults());
        registryB = new StreamRegistry(catalogB, catalogB, connector,
                StreamRegistry.Settings.defaults().withPublisherGrace(Duration.ofSeconds(30)));
        ClusterChangeSender senderA = new ClusterChangeSender(busA, "node-a");
        streamsA = new StreamService(nodeA.streams(), nodeA.audit(), registryA, senderA, OtherNodes.NONE);
        destinationsA = new DestinationService(nodeA.destinations(), streamsA, nodeA.audit(), registryA,
                AddressPolicy.allowingPrivate(), InetAddress::getAllByName, 10, 100, senderA);
        busB.listen(new ClusterChangeApplier(registryB, "node-b", id -> nodeB.streams().findById(id).isPresent()));
        owner = nodeA.users().register("ada@example.com", "hash").id();
    }

    private static DatabaseCatalog catalog(Database node) {
        return new DatabaseCatalog(node.streams(), node.destinations(), node.streamSessions(),
                DatabaseCatalog.DEFAULT_SESSION_HISTORY, Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        registryB.liveStreams().forEach(registryB::endPublish);
        loopB.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        catalogA.close();
        catalogB.close();
        database.close();
    }

    private DestinationRecord destination(long streamId, String name) {
        return destinationsA.create(owner, new DestinationService.NewDestination(streamId, "custom", TestKeys.destination(),
                Optional.of("rtmp://127.0.0.1:1935/live"), Optional.of(name), Optional.of(true)));
    }

    private DestinationService.Update enabled(boolean on) {
        return new DestinationService.Update(Optional.of(on), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** B's publisher: the stream goes live on B with what B reads from the database. */
    private Publication liveOnB(StreamRecord stream) throws Exception {
        return loopB.submit(() -> registryB.beginPublish(TestKeys.issued(stream.key().reveal()), loopB, "127.0.0.1:4000")).get();
    }

    private List<OpenedLink> linksOf(DestinationRecord d) {
        return links.stream().filter(l -> l.target.id().equals(String.valueOf(d.id()))).toList();
    }

    private boolean openLink(DestinationRecord d) {
        return linksOf(d).stream().anyMatch(l -> !l.closed.get());
    }

    @Test
    void changesMadeOnANodeThatDoesNotHoldTheStreamReachTheNodeThatDoes() throws Exception {
        StreamRecord stream = streamsA.create(owner, "Main");
        DestinationRecord one = destination(stream.id(), "one");
        DestinationRecord two = destination(stream.id(), "two");
        Publication publisher = liveOnB(stream);
        AtomicBoolean disconnected = new AtomicBoolean();
        publisher.onDisconnectRequest(() -> disconnected.set(true));
        LiveStream live = publisher.stream();
        assertEquals(2, links.size());

        destinationsA.update(owner, one.id(), enabled(false));
        await().atMost(WITHIN).until(() -> !openLink(one));
        assertTrue(openLink(two), "the other destination goes on");
        assertEquals(1, linksOf(two).size(), "with its one connection");

        destinationsA.update(owner, one.id(), enabled(true));
        await().atMost(WITHIN).until(() -> openLink(one));
        DestinationRecord three = destination(stream.id(), "three");
        await().atMost(WITHIN).until(() -> openLink(three));
        destinationsA.update(owner, two.id(), new DestinationService.Update(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("two, renamed")));
        destinationsA.delete(owner, three.id());
        await().atMost(WITHIN).until(() -> !openLink(three));
        assertEquals(1, linksOf(two).size(), "a rename elsewhere did not cut it either");
        streamsA.rotateKey(owner, stream.id());
        assertFalse(live.isEnded(), "a key rotation lets a live publisher go on");

        streamsA.delete(owner, stream.id());
        await().atMost(WITHIN).until(() -> live.isEnded() && disconnected.get());
        assertTrue(links.stream().allMatch(l -> l.closed.get()), "every destination unpublished");
        assertTrue(registryB.liveStream(String.valueOf(stream.id())).isEmpty());
    }

    @Test
    void aRotatedKeyEndsAStreamWaitingForItsPublisherOnTheOtherNode() throws Exception {
        StreamRecord stream = streamsA.create(owner, "Main");
        destination(stream.id(), "one");
        Publication publisher = liveOnB(stream);
        loopB.submit(() -> publisher.lost("connection reset")).get();

        streamsA.rotateKey(owner, stream.id());

        await().atMost(WITHIN).until(() -> publisher.stream().isEnded());
    }

    @Test
    void aNodeIgnoresItsOwnNotices() throws Exception {
        StreamRecord stream = streamsA.create(owner, "Main");
        destination(stream.id(), "one");
        LiveStream live = liveOnB(stream).stream();
        Heard after = new Heard();
        busB.listen(after);

        busB.send(ClusterNotice.broadcast(ClusterNotice.Kind.STREAM_DELETED, stream.id(), "node-b"));
        busB.send(ClusterNotice.broadcast(ClusterNotice.Kind.DESTINATIONS_CHANGED, 999, "node-b"));

        // The listener after the applier heard the second: the applier had the first before it.
        await().atMost(WITHIN).until(() -> after.notices.size() == 2);
        assertFalse(live.isEnded());
    }

    @Test
    void afterMissingNoticesTheNodeRereadsEveryStreamItHolds() throws Exception {
        StreamRecord kept = streamsA.create(owner, "Kept");
        DestinationRecord first = destination(kept.id(), "first");
        StreamRecord deleted = streamsA.create(owner, "Deleted");
        destination(deleted.id(), "only");
        LiveStream keptLive = liveOnB(kept).stream();
        Publication deletedPublisher = liveOnB(deleted);
        AtomicBoolean disconnected = new AtomicBoolean();
        deletedPublisher.onDisconnectRequest(() -> disconnected.set(true));

        database.terminate(busB.backendPid());
        // B waits for its next attempt (virtual time): what A says meanwhile is lost to B.
        await().atMost(Duration.ofSeconds(5)).until(() -> busClock.pending() == 1 && !busB.listening());
        DestinationRecord added = destination(kept.id(), "added while B was deaf");
        destinationsA.update(owner, first.id(), enabled(false));
        streamsA.delete(owner, deleted.id());
        assertTrue(openLink(first) && !openLink(added) && !deletedPublisher.stream().isEnded(), "B missed them");

        busClock.advance(Duration.ofMillis(500));

        await().atMost(Duration.ofSeconds(5)).until(() -> busB.reconnects() == 1);
        await().atMost(WITHIN).until(() -> openLink(added) && !openLink(first)
                && deletedPublisher.stream().isEnded() && disconnected.get());
        assertFalse(keptLive.isEnded());
    }
}
