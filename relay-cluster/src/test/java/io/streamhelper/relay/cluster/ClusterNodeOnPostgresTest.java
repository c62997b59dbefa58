package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.catalog.store.ClusterStore.NodeRow;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.registry.StreamOwnership.Claim;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.testkit.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Node a's heartbeat, fencing and answers to RELEASE against the real tables on PostgreSQL, the
 * 2 s heartbeat and the 8 s fence in virtual time. The database goes away for real (it refuses
 * connections and its open ones are ended), not through a stand-in. The streams here are a
 * recording stand-in for the registry (the registry's own side is relay-engine's
 * StreamOwnershipHookTest, both together ClusterTakeoverOnPostgresTest).
 */
class ClusterNodeOnPostgresTest {
    private static final Duration EXPIRY = ClusterOwnership.EXPIRY;

    private final ClusterDatabase db = new ClusterDatabase();
    private final ClusterStore store = db.database.cluster();
    private final InMemoryClusterBus bus = new InMemoryClusterBus();
    private final ManualScheduler clock = new ManualScheduler();
    private final Timers timers = Timers.of((d, t) -> clock.schedule(d, t)::cancel, clock::nanoTime);
    private final ClusterOwnership ownership = new ClusterOwnership(store, bus, "a", timers);
    private final AtomicInteger beats = new AtomicInteger();
    private final RecordingStreams streams = new RecordingStreams();
    private final ExecutorService heartbeatThread = Executors.newSingleThreadExecutor();
    private ClusterNode node;

    /** The registry as the node sees it: which streams are here, and what the node asked of it. */
    private static final class RecordingStreams implements ClusterNode.Streams {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile Set<String> here = Set.of();

        @Override
        public boolean moved(String streamId) {
            calls.add("moved " + streamId);
            return false;
        }

        @Override
        public boolean isHere(String streamId) {
            return here.contains(streamId);
        }

        @Override
        public void endAll(EndReason reason) {
            calls.add("endAll " + reason);
        }
    }

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
        ownership.close();
        heartbeatThread.shutdownNow();
        bus.close();
        db.close();
    }

    /** Node a with its heartbeats written on the test's thread (inline) or on a thread of their own. */
    private ClusterNode node(boolean heartbeatsInline) {
        node = new ClusterNode(store, ownership, bus, streams, () -> "{\"beat\":" + beats.incrementAndGet() + "}", timers,
                heartbeatsInline ? Runnable::run : heartbeatThread, Runnable::run);
        return node;
    }

    private Optional<NodeRow> row(String nodeId) {
        return store.aliveNodes(EXPIRY).stream().filter(n -> n.nodeId().equals(nodeId)).findFirst();
    }

    @Test
    void startGivesUpLeasesLeftFromACrashThenHeartbeatsEveryTwoSecondsAndCloseLeaves() {
        store.heartbeat("a", "{}");
        long stale = db.stream();
        store.claim(stale, "a", EXPIRY); // a crashed while relaying it

        node(true).start();
        assertEquals(Optional.empty(), store.lease(stale, EXPIRY), "nothing is live here yet: the old lease is stale");
        assertEquals("{\"beat\":1}", row("a").orElseThrow().status());

        clock.advance(Duration.ofMillis(1999));
        assertEquals("{\"beat\":1}", row("a").orElseThrow().status());
        clock.advance(Duration.ofMillis(1));
        assertEquals("{\"beat\":2}", row("a").orElseThrow().status(), "every 2 s, with the status of the moment");
        clock.advance(Duration.ofSeconds(20));
        assertEquals("{\"beat\":12}", row("a").orElseThrow().status());
        assertFalse(node.isFenced());

        long held = db.stream();
        assertEquals(Claim.OWNED, ownership.claim(String.valueOf(held)));
        node.close();
        assertEquals(Optional.empty(), row("a"), "left: other nodes stop counting it at once");
        assertEquals(Optional.empty(), store.lease(held, EXPIRY));
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Optional.empty(), row("a"), "no heartbeat after close");
        assertEquals(0, clock.pending());
    }

    @Test
    void aNodeThatCannotHeartbeatForEightSecondsEndsItsStreamsAndRefusesClaimsUntilOneSucceeds() throws Exception {
        node(false).start();
        long held = db.stream();
        long other = db.stream();
        assertEquals(Claim.OWNED, ownership.claim(String.valueOf(held)));

        db.cut();
        clock.advance(Duration.ofSeconds(6));
        assertFalse(node.isFenced(), "6 s without a heartbeat: others still count it alive (10 s)");
        assertEquals(List.of(), streams.calls);
        clock.advance(Duration.ofSeconds(2));
        assertTrue(node.isFenced(), "8 s: before anyone may take its streams (10 s), it stops relaying them");
        assertEquals("endAll FENCED", streams.calls.get(0));
        assertEquals(Claim.UNAVAILABLE, ownership.claim(String.valueOf(other)));

        db.restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            clock.advance(ClusterNode.HEARTBEAT_EVERY);
            return !node.isFenced();
        });
        assertEquals(Optional.empty(), store.lease(held, EXPIRY),
                "its leases were given up before its heartbeat made them valid again");
        assertTrue(row("a").isPresent());
        assertEquals(Claim.OWNED, ownership.claim(String.valueOf(other)), "claims again");
    }

    /** The first publish after the database is back need not wait for the next heartbeat: its claim asks for one. */
    @Test
    void aClaimWhileFencedTriesAHeartbeatAtOnceAndIsOwnedIfItSucceeds() throws Exception {
        node(false).start();
        long held = db.stream();
        long next = db.stream();
        assertEquals(Claim.OWNED, ownership.claim(String.valueOf(held)));
        db.cut();
        clock.advance(ClusterNode.FENCE_AFTER);
        assertTrue(node.isFenced());
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.isBeating()); // the tick's heartbeat gave up

        assertEquals(Claim.UNAVAILABLE, ownership.claim(String.valueOf(next)), "the database is still gone");
        db.restore();
        int before = beats.get();
        await().atMost(Duration.ofSeconds(15)).until(() -> ownership.claim(String.valueOf(next)) == Claim.OWNED);
        assertTrue(beats.get() > before, "a heartbeat was written for it");
        assertFalse(node.isFenced());
        assertEquals(Optional.empty(), store.lease(held, EXPIRY), "given up before the heartbeat, as at a tick");
        assertEquals("a", store.lease(next, EXPIRY).orElseThrow().nodeId());
    }

    @Test
    void aReleaseForAStreamNotHereGivesUpALeftoverLeaseAndOneForALiveStreamIsIgnored() throws Exception {
        node(true).start();
        store.heartbeat("b", "{}");
        long live = db.stream();
        long leftover = db.stream();
        store.claim(live, "a", EXPIRY);
        store.claim(leftover, "a", EXPIRY); // a release that failed left it behind
        streams.here = Set.of(String.valueOf(live));

        bus.send(ClusterNotice.to("a", ClusterNotice.Kind.RELEASE, live, "b"));
        bus.send(ClusterNotice.to("c", ClusterNotice.Kind.RELEASE, leftover, "b"));
        bus.send(ClusterNotice.to("a", ClusterNotice.Kind.RELEASE, leftover, "b"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !bus.sent(ClusterNotice.Kind.RELEASED).isEmpty());

        // Answered in order: the first RELEASE (live here) was handled before the last one's answer.
        assertEquals(List.of(ClusterNotice.to("b", ClusterNotice.Kind.RELEASED, leftover, "a")),
                bus.sent(ClusterNotice.Kind.RELEASED), "nothing for the live one, nothing for a RELEASE to c");
        assertEquals(List.of("moved " + live, "moved " + leftover), streams.calls);
        assertEquals(Optional.empty(), store.lease(leftover, EXPIRY));
        assertEquals("a", store.lease(live, EXPIRY).orElseThrow().nodeId(), "live here: kept");
    }
}
