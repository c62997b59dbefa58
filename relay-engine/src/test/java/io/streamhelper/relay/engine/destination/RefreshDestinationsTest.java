package io.streamhelper.relay.engine.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.TrackSelection;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamRegistry#refreshDestinations}: a change made on another node reaches the stream
 * only through the directory, read again on the caller's thread. What a destination's platform
 * would notice is checked: which links were opened, which were closed, and that a destination
 * that did not change keeps its one connection.
 */
class RefreshDestinationsTest {
    private static final String STREAM = "7";

    private final EventLoop loop = new DefaultEventLoop();
    private final ManualScheduler clock = new ManualScheduler();
    private final String ingestKey = TestKeys.ingest();
    /** Every link the registry opened, with the target it was opened for, in order. */
    private final List<Map.Entry<DestinationTarget, MemoryLink>> links = new CopyOnWriteArrayList<>();
    /** What the catalog says now: the test changes it as another node's API would. */
    private final AtomicReference<List<DestinationTarget>> stored = new AtomicReference<>(List.of());
    /** How a read answers: {@link #stored} unless a test puts itself between the read and the answer. */
    private final AtomicReference<Supplier<List<DestinationTarget>>> reading = new AtomicReference<>(stored::get);
    private final AtomicInteger reads = new AtomicInteger();
    private final Map<String, Boolean> readOnLoop = new ConcurrentHashMap<>();
    private final List<EndReason> ends = new CopyOnWriteArrayList<>();
    private StreamRegistry registry;

    private final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            MemoryLink link = new MemoryLink(listener);
            links.add(Map.entry(target, link));
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return DestinationRelayTest.virtualTimers(clock);
        }
    };

    @AfterEach
    void stop() {
        links.forEach(l -> l.getValue().releaseAll());
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private StreamRegistry registry(Duration grace) {
        PublishAuthorizer authorizer = key -> key.equals(ingestKey) ? Optional.of(new StreamGrant(STREAM, "S")) : Optional.empty();
        DestinationDirectory directory = streamId -> {
            reads.incrementAndGet();
            readOnLoop.put(Thread.currentThread().getName(), loop.inEventLoop());
            return reading.get().get();
        };
        registry = new StreamRegistry(authorizer, directory, connector, StreamRegistry.Settings.defaults()
                .withPublisherGrace(grace)
                .withListener(new StreamRegistry.Listener() {
                    @Override
                    public void streamEnded(LiveStream stream, SessionReport session) {
                        ends.add(session.endReason());
                    }
                }));
        return registry;
    }

    private static DestinationTarget target(String id, String name, String url, String key) {
        return new DestinationTarget(id, name, url, Secret.of(key), "custom");
    }

    private Publication publish() throws Exception {
        return loop.submit(() -> registry.beginPublish(ingestKey, loop, "127.0.0.1:5000")).get();
    }

    private void settle() throws Exception {
        loop.submit(() -> { }).get();
    }

    private MemoryLink linkOf(String id) {
        return links.stream().filter(l -> l.getKey().id().equals(id)).reduce((a, b) -> b).orElseThrow().getValue();
    }

    private long opened(String id) {
        return links.stream().filter(l -> l.getKey().id().equals(id)).count();
    }

    private DestinationRelay relayOf(LiveStream stream, String id) {
        return registry.relays(stream).stream().filter(r -> r.target().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void addedDisabledAndChangedDestinationsAreAppliedAndTheUnchangedOnesKeepTheirConnection() throws Exception {
        registry(Duration.ZERO);
        String key1 = TestKeys.destination();
        String key2 = TestKeys.destination();
        String key3 = TestKeys.destination();
        String key4 = TestKeys.destination();
        String key4b = TestKeys.destination();
        DestinationTarget one = target("1", "one", "rtmp://a.example/app", key1);
        DestinationTarget two = target("2", "two", "rtmp://b.example/app", key2);
        DestinationTarget four = target("4", "four", "rtmp://d.example/app", key4);
        stored.set(List.of(one, two, four));
        LiveStream stream = publish().stream();
        settle();
        assertEquals(3, links.size());
        links.forEach(l -> l.getValue().listener.onLive(l.getValue()));
        settle();
        DestinationRelay relayOne = relayOf(stream, "1");
        int readsBefore = reads.get();

        // Elsewhere: two disabled (the directory lists enabled ones only), one renamed, three
        // added, four re-keyed.
        DestinationTarget oneRenamed = target("1", "one, renamed", "rtmp://a.example/app", key1);
        DestinationTarget three = target("3", "three", "rtmp://c.example/app", key3);
        DestinationTarget fourRekeyed = target("4", "four", "rtmp://d.example/app", key4b);
        stored.set(List.of(oneRenamed, three, fourRekeyed));

        assertTrue(registry.refreshDestinations(STREAM));
        settle();

        assertEquals(readsBefore + 2, reads.get(), "a refresh that changed something reads once more, to be sure");
        assertEquals(Boolean.FALSE, readOnLoop.get(Thread.currentThread().getName()), "read on the caller's thread");
        assertFalse(linkOf("1").closed, "an unchanged (renamed) destination keeps its connection");
        assertEquals(1, opened("1"));
        assertSame(relayOne, relayOf(stream, "1"));
        assertEquals(DestinationState.LIVE, relayOne.state());
        assertTrue(linkOf("2").closed, "a disabled destination is unpublished");
        assertEquals(1, opened("3"), "an added destination connects");
        assertEquals(2, opened("4"), "a re-keyed destination connects again");
        assertTrue(key4b.equals(relayOf(stream, "4").target().streamKey().reveal()), "with its new key");
        assertFalse(linkOf("4").closed);
        assertTrue(links.get(2).getValue().closed, "under the old key it unpublished");
        assertEquals(List.of("1", "3", "4"), registry.relays(stream).stream().map(r -> r.target().id()).sorted().toList());

        // Nothing changed since: a second refresh (a repeated notice, a resync) touches nothing.
        int before = links.size();
        int readsNow = reads.get();
        assertTrue(registry.refreshDestinations(STREAM));
        settle();
        assertEquals(before, links.size());
        assertEquals(readsNow + 1, reads.get(), "one read when nothing changed");
        assertTrue(links.stream().filter(l -> !l.getKey().id().equals("2") && l != links.get(2))
                .noneMatch(l -> l.getValue().closed));
        registry.endPublish(stream);
    }

    @Test
    void aTrackOrUrlChangeConnectsAgain() throws Exception {
        registry(Duration.ZERO);
        String key = TestKeys.destination();
        stored.set(List.of(target("1", "one", "rtmp://a.example/app", key)));
        LiveStream stream = publish().stream();
        settle();
        stored.set(List.of(new DestinationTarget("1", "one", "rtmp://a.example/app", Secret.of(key), "custom",
                new TrackSelection(1, 0))));
        registry.refreshDestinations(STREAM);
        settle();
        assertEquals(2, opened("1"), "another track is another picture");
        stored.set(List.of(new DestinationTarget("1", "one", "rtmp://a2.example/app", Secret.of(key), "custom",
                new TrackSelection(1, 0))));
        registry.refreshDestinations(STREAM);
        settle();
        assertEquals(3, opened("1"));
        assertEquals("rtmp://a2.example/app", relayOf(stream, "1").target().url());
        registry.endPublish(stream);
    }

    @Test
    void aChangeThroughThisNodesApiBetweenTheReadAndTheReconcileIsNotUndone() throws Exception {
        registry(Duration.ZERO);
        String oldKey = TestKeys.destination();
        String newKey = TestKeys.destination();
        DestinationTarget before = target("1", "one", "rtmp://a.example/app", oldKey);
        DestinationTarget after = target("1", "one", "rtmp://a.example/app", newKey);
        DestinationTarget added = target("2", "two", "rtmp://b.example/app", TestKeys.destination());
        stored.set(List.of(before));
        LiveStream stream = publish().stream();
        settle();
        // Another node added "2". While this refresh reads, this node's API re-keys "1": it stores
        // the new key and applies it (as DestinationService.update does) before the reconcile
        // runs, so the read it got is older than what the registry now relays.
        AtomicBoolean raced = new AtomicBoolean();
        reading.set(() -> {
            if (raced.compareAndSet(false, true)) {
                stored.set(List.of(after, added));
                registry.applyDestination(STREAM, after);
                return List.of(before, added);
            }
            return stored.get();
        });

        assertTrue(registry.refreshDestinations(STREAM));
        settle();

        assertTrue(newKey.equals(relayOf(stream, "1").target().streamKey().reveal()), "the newer key stays");
        assertEquals(1, opened("2"));
        assertEquals(List.of("1", "2"), registry.relays(stream).stream().map(r -> r.target().id()).sorted().toList());
        registry.endPublish(stream);
    }

    @Test
    void aStreamNotLiveHereIsNotReadAtAll() {
        registry(Duration.ZERO);
        assertFalse(registry.refreshDestinations(STREAM));
        assertFalse(registry.refreshDestinations("no-such-stream"));
        assertEquals(0, reads.get(), "a node that does not hold the stream never reads its destinations");
    }

    @Test
    void aReconnectingStreamLeftWithNoDestinationEnds() throws Exception {
        registry(Duration.ofSeconds(30));
        stored.set(List.of(target("1", "one", "rtmp://a.example/app", TestKeys.destination())));
        Publication publication = publish();
        LiveStream stream = publication.stream();
        settle();
        loop.submit(() -> publication.lost("connection reset")).get();
        assertEquals(StreamState.RECONNECTING, stream.state());

        stored.set(List.of());
        assertTrue(registry.refreshDestinations(STREAM));
        settle();

        assertTrue(stream.isEnded(), "nothing left to hold published for a publisher that may come back");
        assertEquals(List.of(EndReason.NO_DESTINATIONS), ends);
        assertTrue(linkOf("1").closed);
        assertFalse(registry.refreshDestinations(STREAM));
    }
}
