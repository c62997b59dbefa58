package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.catalog.store.ClusterStore.Lease;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.registry.StreamOwnership.Claim;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.testkit.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The claim protocol against the real lease table on PostgreSQL, node a claiming streams other
 * nodes hold. The 200 ms retries and the 3 s limit run in virtual time: the claim waits on its
 * own thread, and the test moves the clock once the claim's next retry is scheduled.
 */
class ClusterOwnershipOnPostgresTest {
    private static final Duration EXPIRY = ClusterOwnership.EXPIRY;

    private final ClusterDatabase db = new ClusterDatabase();
    private final ClusterStore store = db.database.cluster();
    private final InMemoryClusterBus bus = new InMemoryClusterBus();
    private final ManualScheduler clock = new ManualScheduler();
    private final ClusterOwnership a = new ClusterOwnership(store, bus, "a",
            Timers.of((d, t) -> clock.schedule(d, t)::cancel, clock::nanoTime));

    @AfterEach
    void close() {
        a.close();
        bus.close();
        db.close();
    }

    /** Node b holds the stream, alive, in this state. */
    private long heldByB(String state) {
        store.heartbeat("a", "{}");
        store.heartbeat("b", "{}");
        long id = db.stream();
        store.claim(id, "b", EXPIRY);
        store.setState(id, "b", state);
        return id;
    }

    private CompletableFuture<Claim> claimInBackground(long id) {
        bus.listen(a);
        return CompletableFuture.supplyAsync(() -> a.claim(String.valueOf(id)));
    }

    /** Waits until the claim sleeps for its next retry, then moves the clock by one retry. */
    private void nextRetry() {
        awaitSleeping();
        clock.advance(ClusterOwnership.RETRY);
    }

    /** The claim tried and now sleeps until its next retry. */
    private void awaitSleeping() {
        await().atMost(Duration.ofSeconds(5)).until(() -> clock.pending() == 1);
    }

    @Test
    void aFreeStreamIsOwnedAndAStreamOfTheStreamsFileTakesNoLease() {
        store.heartbeat("a", "{}");
        long id = db.stream();
        assertEquals(Claim.OWNED, a.claim(String.valueOf(id)));
        assertEquals(new Lease(id, "a", Lease.LIVE, true), store.lease(id, EXPIRY).orElseThrow());
        assertEquals(Claim.OWNED, a.claim("main"), "not a database stream: nothing to ask");
        assertTrue(bus.sent.isEmpty());
    }

    @Test
    void aStreamLiveOnAnotherNodeIsRefusedAtOnceAndItsHolderIsToldInCaseItsRowIsALeftover() {
        long id = heldByB(Lease.LIVE);
        assertEquals(Claim.LIVE_ELSEWHERE, a.claim(String.valueOf(id)));
        assertEquals(List.of(ClusterNotice.to("b", ClusterNotice.Kind.RELEASE_IF_UNUSED, id, "a")), bus.sent,
                "told, so that a row b has no stream on goes; not asked to let go of a stream");
        assertEquals("b", store.lease(id, EXPIRY).orElseThrow().nodeId());
        assertEquals(0, clock.pending(), "not waited for");
    }

    /** A claim that gave up waiting for a stuck writer (4 s) leaves no lease behind once the writer moves on. */
    @Test
    void aClaimGivenUpOnForAStuckWriterTakesNothingAfterwards() throws Exception {
        store.heartbeat("a", "{}");
        long id = db.stream();
        java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
        a.afterWrites(() -> {
            try {
                stuck.await(); // as a statement to an unreachable database
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(Claim.UNAVAILABLE, a.claim(String.valueOf(id)), "the publish is answered in time");
        stuck.countDown();
        a.flushWrites();
        assertEquals(Optional.empty(), store.lease(id, EXPIRY), "no stream here stands on a lease for a refused publish");
        assertEquals(Claim.OWNED, a.claim(String.valueOf(id)));
    }

    /** A claim whose INSERT committed and whose answer was lost (the connection dropped after the commit). */
    @Test
    void aClaimThatFailsAfterItsRowWasWrittenGivesTheRowBack() {
        store.heartbeat("a", "{}");
        long id = db.stream();
        ClusterOwnership lost = new ClusterOwnership(new AnswerLost(store), bus, "a",
                Timers.of((d, t) -> clock.schedule(d, t)::cancel, clock::nanoTime));
        try {
            assertEquals(Claim.UNAVAILABLE, lost.claim(String.valueOf(id)));
            lost.flushWrites();
            assertEquals(Optional.empty(), store.lease(id, EXPIRY), "no stream here stands on it: others may take it");
        } finally {
            lost.close();
        }
    }

    @Test
    void aReconnectingOwnerIsAskedAndItsReleasedNoticeEndsTheWaitAtOnce() throws Exception {
        long id = heldByB(Lease.RECONNECTING);
        // Node b as ClusterNode answers: it lets go, then says so.
        bus.listen(ClusterBus.listener(n -> {
            if (n.kind() == ClusterNotice.Kind.RELEASE && n.to().equals(Optional.of("b"))) {
                store.release(id, "b");
                bus.send(ClusterNotice.to(n.from(), ClusterNotice.Kind.RELEASED, id, "b"));
            }
        }));
        CompletableFuture<Claim> claim = claimInBackground(id);
        assertEquals(Claim.OWNED, claim.get(5, TimeUnit.SECONDS), "without the clock moving: woken by RELEASED");
        assertEquals(List.of(ClusterNotice.to("b", ClusterNotice.Kind.RELEASE, id, "a")), bus.sent(ClusterNotice.Kind.RELEASE));
        assertEquals(new Lease(id, "a", Lease.LIVE, true), store.lease(id, EXPIRY).orElseThrow());
        assertEquals(0, clock.pending(), "the retry timer is cancelled");
    }

    @Test
    void anOwnerThatLetsGoSilentlyIsNoticedAtTheNextRetry() throws Exception {
        long id = heldByB(Lease.RECONNECTING);
        CompletableFuture<Claim> claim = claimInBackground(id);
        nextRetry();
        nextRetry();
        awaitSleeping();
        store.release(id, "b");
        clock.advance(ClusterOwnership.RETRY);
        assertEquals(Claim.OWNED, claim.get(5, TimeUnit.SECONDS));
        assertEquals(1, bus.sent(ClusterNotice.Kind.RELEASE).size(), "asked once, not at every retry");
    }

    @Test
    void anOwnerThatNeverLetsGoMakesTheClaimUndecidedAfterThreeSeconds() throws Exception {
        long id = heldByB(Lease.RECONNECTING);
        CompletableFuture<Claim> claim = claimInBackground(id);
        for (int i = 0; i < 14; i++) {
            nextRetry();
        }
        assertFalse(claim.isDone(), "2.8 s: still waiting");
        nextRetry();
        assertEquals(Claim.UNAVAILABLE, claim.get(5, TimeUnit.SECONDS));
        assertEquals("b", store.lease(id, EXPIRY).orElseThrow().nodeId(), "nothing taken");
        assertEquals(0, clock.pending());
    }

    @Test
    void anOwnerWhosePublisherCameBackWhileWeWaitedMakesItLiveElsewhere() throws Exception {
        long id = heldByB(Lease.RECONNECTING);
        CompletableFuture<Claim> claim = claimInBackground(id);
        nextRetry();
        awaitSleeping();
        store.setState(id, "b", Lease.LIVE);
        clock.advance(ClusterOwnership.RETRY);
        assertEquals(Claim.LIVE_ELSEWHERE, claim.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aLeaseStandsUntilTheLastStreamHereOnItIsReleasedAndItsStateIsTheHoldersToWrite() {
        store.heartbeat("a", "{}");
        long id = db.stream();
        String streamId = String.valueOf(id);
        // An ended stream still unpublishing while its successor already opened here: two on one lease.
        assertEquals(Claim.OWNED, a.claim(streamId));
        assertEquals(Claim.OWNED, a.claim(streamId));
        a.stateChanged(streamId, StreamState.RECONNECTING);
        a.released(streamId);
        a.flushWrites();
        assertEquals(new Lease(id, "a", Lease.RECONNECTING, true), store.lease(id, EXPIRY).orElseThrow(),
                "one stream still stands on it");
        a.released(streamId);
        a.flushWrites();
        assertEquals(Optional.empty(), store.lease(id, EXPIRY));

        a.stateChanged(streamId, StreamState.LIVE);
        a.flushWrites();
        assertEquals(Optional.empty(), store.lease(id, EXPIRY), "a state change for a lease not held here writes nothing");
    }

    @Test
    void aFencedNodeAndAnUnreachableDatabaseLeaveTheClaimUndecided() {
        store.heartbeat("a", "{}");
        long id = db.stream();
        a.fenced(true);
        assertEquals(Claim.UNAVAILABLE, a.claim(String.valueOf(id)));
        assertEquals(Optional.empty(), store.lease(id, EXPIRY));
        a.fenced(false);

        db.database.close();
        assertEquals(Claim.UNAVAILABLE, a.claim(String.valueOf(id)), "the database's error is not the publisher's");
    }

    /** The real store whose claim commits on PostgreSQL and then loses its answer. */
    private static final class AnswerLost extends ForwardingClusterStore {
        AnswerLost(ClusterStore real) {
            super(real);
        }

        @Override
        public Lease claim(long streamId, String nodeId, Duration expiry) {
            real.claim(streamId, nodeId, expiry);
            throw new IllegalStateException("An I/O error occurred while sending to the backend");
        }
    }
}
