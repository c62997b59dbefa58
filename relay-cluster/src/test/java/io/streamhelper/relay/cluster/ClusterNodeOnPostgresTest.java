package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.catalog.store.ClusterStore.NodeRow;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.registry.StreamOwnership.Claim;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.testkit.ManualScheduler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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

    /** A row of a with no stream here on it (its DELETE failed) no longer refuses the stream on b for ever. */
    @Test
    void aLeftoverLiveRowOfAnAliveNodeGoesWhenAnotherNodeClaimsTheStream() {
        node(true).start();
        long here = db.stream();
        long leftover = db.stream();
        store.claim(here, "a", EXPIRY);
        store.claim(leftover, "a", EXPIRY); // state live, alive holder, nothing here
        streams.here = Set.of(String.valueOf(here)); // live here, or in its grace: a keeps it
        store.heartbeat("b", "{}");
        try (ClusterOwnership b = new ClusterOwnership(store, bus, "b", timers)) {
            assertEquals(Claim.LIVE_ELSEWHERE, b.claim(String.valueOf(here)));
            assertEquals(Claim.LIVE_ELSEWHERE, b.claim(String.valueOf(leftover)), "refused at once, as before");
            await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(leftover, EXPIRY).isEmpty());
            assertEquals(Claim.OWNED, b.claim(String.valueOf(leftover)), "the encoder's next try is taken");
            assertEquals("a", store.lease(here, EXPIRY).orElseThrow().nodeId());
            assertEquals(List.of(), streams.calls, "no stream here is moved for a refused publisher");
        }
    }

    /** The heartbeat waits for the row another transaction holds, while the fence falls, then succeeds. */
    @Test
    void aFenceThatFallsDuringASlowHeartbeatGivesUpTheLeasesBeforeTheNodeTakesPublishesAgain() throws Exception {
        node(false).start();
        long held = db.stream();
        assertEquals(Claim.OWNED, ownership.claim(String.valueOf(held)));
        try (Connection lock = lockRow("a")) {
            clock.advance(ClusterNode.HEARTBEAT_EVERY); // this heartbeat waits for the row
            await().atMost(Duration.ofSeconds(10)).until(this::aStatementWaitsForALock); // begun before the fence
            clock.advance(ClusterNode.FENCE_AFTER.minus(ClusterNode.HEARTBEAT_EVERY));
            assertTrue(node.isFenced());
            assertTrue(node.isBeating());
            lock.rollback();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.isBeating());
        assertTrue(node.isFenced() || store.lease(held, EXPIRY).isEmpty(),
                "unfenced with its old lease valid again: a stream ended by the fence would look live here");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(ClusterNode.HEARTBEAT_EVERY);
            return !node.isFenced();
        });
        assertEquals(Optional.empty(), store.lease(held, EXPIRY));
    }

    @Test
    void everyHeartbeatGivesUpTheRowsOfThisNodeNoStreamHereStandsOn() {
        node(true).start();
        long stray = db.stream();
        long held = db.stream();
        store.claim(stray, "a", EXPIRY); // a claim whose answer was lost, a DELETE that failed
        assertEquals(Claim.OWNED, ownership.claim(String.valueOf(held)));
        clock.advance(ClusterNode.HEARTBEAT_EVERY);
        ownership.flushWrites();
        assertEquals(Optional.empty(), store.lease(stray, EXPIRY));
        assertEquals("a", store.lease(held, EXPIRY).orElseThrow().nodeId(), "a stream here stands on it: kept");
    }

    private boolean aStatementWaitsForALock() throws SQLException {
        try (Connection c = db.server.superuserConnection("postgres");
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'")) {
            s.setString(1, db.db.name());
            try (java.sql.ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1) > 0;
            }
        }
    }

    /** A heartbeat that took 3 s to answer: the others counted it from when it was written, before its answer. */
    @Test
    void theFenceMarginIsMeasuredFromWhenTheHeartbeatWasSentNotFromItsAnswer() throws Exception {
        node(false).start();
        try (Connection lock = lockRow("a")) {
            clock.advance(ClusterNode.HEARTBEAT_EVERY); // t = 2 s: sent, waits for the row
            await().atMost(Duration.ofSeconds(10)).until(this::aStatementWaitsForALock);
            clock.advance(Duration.ofSeconds(3)); // t = 5 s
            lock.rollback();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.isBeating()); // succeeded, answered at 5 s
        assertFalse(node.isFenced());
        try (Connection lock = lockRow("a")) { // from now on no heartbeat succeeds
            clock.advance(Duration.ofMillis(4999)); // t = 9.999 s
            assertFalse(node.isFenced());
            clock.advance(Duration.ofMillis(1)); // t = 10 s: 8 s after the last success was sent
            assertTrue(node.isFenced(), "not 8 s after its answer (13 s)");
            lock.rollback();
        }
    }

    @Test
    void whileFencedTheStreamsAreEndedAgainEvery200msNotOnlyAtTheTicks() throws Exception {
        node(true).start();
        db.cut();
        clock.advance(ClusterNode.FENCE_AFTER);
        assertTrue(node.isFenced());
        streams.calls.clear();
        clock.advance(ClusterNode.SWEEP_EVERY); // a stream that opened just after the fence's sweep
        assertEquals(List.of("endAll FENCED"), streams.calls);
        db.restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            clock.advance(ClusterNode.HEARTBEAT_EVERY);
            return !node.isFenced();
        });
        streams.calls.clear();
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), streams.calls, "back in the cluster: no more sweeps");
    }

    @Test
    void aFailedHeartbeatIsTriedOnceMoreAfterHalfASecondNotOnlyAtTheNextTick() throws Exception {
        node(true).start();
        db.cut();
        clock.advance(ClusterNode.HEARTBEAT_EVERY); // t = 2 s: fails
        assertEquals(2, beats.get());
        db.restore();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> row("a").isPresent()); // the pool is back
        clock.advance(ClusterNode.RETRY_AFTER.minusMillis(1));
        assertEquals(2, beats.get());
        clock.advance(Duration.ofMillis(1)); // t = 2.5 s
        assertEquals(3, beats.get(), "tried again");
        assertEquals("{\"beat\":3}", row("a").orElseThrow().status());
        clock.advance(ClusterNode.HEARTBEAT_EVERY.minus(ClusterNode.RETRY_AFTER).minusMillis(1));
        assertEquals(3, beats.get(), "a retry that succeeded is not retried, and the schedule stays every 2 s");
        clock.advance(Duration.ofMillis(1)); // t = 4 s
        assertEquals(4, beats.get());
    }

    /** A heartbeat stuck on a lock gives up after the statement timeout, long before the 8 s fence. */
    @Test
    void theClusterStatementsGiveUpAfterTwoSecondsInsteadOfHanging() throws Exception {
        store.heartbeat("a", "{}");
        long id = db.stream();
        store.claim(id, "a", EXPIRY);
        try (Connection lock = lockRow("a")) {
            long started = System.nanoTime();
            // Bounded: without a timeout the statement would wait for the lock as long as it is held.
            assertTimeoutPreemptively(Duration.ofSeconds(8), () -> assertThrows(RuntimeException.class, () -> store.heartbeat("a", "{}")));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMs >= 1_500 && tookMs < 5_000, "gave up after the 2 s timeout: " + tookMs + " ms");
            try (PreparedStatement s = lock.prepareStatement("SELECT 1 FROM stream_leases WHERE stream_id = ? FOR UPDATE")) {
                s.setLong(1, id);
                s.executeQuery().close();
            }
            assertTimeoutPreemptively(Duration.ofSeconds(8),
                    () -> assertThrows(RuntimeException.class, () -> store.setState(id, "a", "reconnecting")), "a lease write too");
            lock.rollback();
        }
    }

    /** Another transaction holds node a's row (FOR UPDATE): a heartbeat waits until it ends. */
    private Connection lockRow(String nodeId) throws SQLException {
        Connection c = db.server.superuserConnection(db.db.name());
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM relay_nodes WHERE node_id = ? FOR UPDATE")) {
            s.setString(1, nodeId);
            s.executeQuery().close();
        }
        return c;
    }
}
