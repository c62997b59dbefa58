package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.publish.PublishRejectedException.Reason;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamOwnership;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The registry's side of several nodes on one database (issue 24): what it asks its
 * {@link StreamOwnership} and tells it, and what it does with the answers. The ownership here is a
 * recording stand-in for relay-cluster's lease (the engine's own seam); destinations are
 * {@link MemoryLink}s and every timer is virtual.
 */
class StreamOwnershipHookTest extends RegistryFixture {
    private static final Duration GRACE = Duration.ofSeconds(30);

    /** Answers {@link #answer}; records every call as "claim s1", "state s1 RECONNECTING", "released s1". */
    private final class RecordingOwnership implements StreamOwnership {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile Claim answer = Claim.OWNED;
        volatile RuntimeException failure;

        @Override
        public Claim claim(String streamId) {
            calls.add("claim " + streamId);
            if (failure != null) {
                throw failure;
            }
            return answer;
        }

        @Override
        public void stateChanged(String streamId, StreamState state) {
            calls.add("state " + streamId + " " + state);
        }

        @Override
        public void released(String streamId) {
            calls.add("released " + streamId);
        }
    }

    private final RecordingOwnership ownership = new RecordingOwnership();
    private final List<SessionReport> ended = new CopyOnWriteArrayList<>();
    private StreamRegistry registry;

    private StreamRegistry registry() {
        registry = newRegistry(StreamRegistry.Settings.defaults()
                .withPublisherGrace(GRACE)
                .withOwnership(ownership)
                .withListener(new StreamRegistry.Listener() {
                    @Override
                    public void streamEnded(LiveStream stream, SessionReport session) {
                        ended.add(session);
                    }
                }));
        return registry;
    }

    private Publication begin() throws Exception {
        try {
            return loop.submit(() -> registry.beginPublish(ingestKey, loop, "203.0.113.7:5000")).get();
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private void settle() throws Exception {
        loop.submit(() -> { }).get();
        loop.submit(() -> { }).get();
    }

    private MemoryLink liveLink(int index) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> links.size() > index);
        MemoryLink link = links.get(index);
        link.listener.onLive(link);
        settle();
        return link;
    }

    @Test
    void aStreamIsClaimedWhenItOpensHereToldItsStatesAndReleasedWhenItEnds() throws Exception {
        registry();
        Publication first = begin();
        liveLink(0);
        assertEquals(List.of("claim s1"), ownership.calls);

        loop.submit(() -> first.lost("connection closed")).get();
        Publication second = begin();
        assertEquals(List.of("claim s1", "state s1 RECONNECTING", "state s1 LIVE"), ownership.calls,
                "the publisher that continues the stream here asks nobody: the lease is this node's already");

        loop.submit(second::end).get();
        settle();
        assertEquals(List.of("claim s1", "state s1 RECONNECTING", "state s1 LIVE", "released s1"), ownership.calls);
        assertEquals(0, clock.pending());
    }

    @Test
    void aStreamLiveOnAnotherNodeIsRefusedAsADuplicatePublishIs() throws Exception {
        registry();
        ownership.answer = StreamOwnership.Claim.LIVE_ELSEWHERE;
        PublishRejectedException refused = assertThrows(PublishRejectedException.class, this::begin);
        assertEquals(Reason.ALREADY_LIVE, refused.reason());
        assertEquals("the stream is live from another encoder", refused.getMessage(), "the words a second encoder here gets");
        assertEquals(1, registry.counters().publishRejections(Reason.ALREADY_LIVE));
        assertTrue(registry.liveStreams().isEmpty());
        assertTrue(links.isEmpty(), "no destination was touched");
        assertEquals(List.of("claim s1"), ownership.calls, "nothing to release: it was never held here");
    }

    @Test
    void anUndecidedClaimIsARefusalToTryAgain() throws Exception {
        registry();
        ownership.answer = StreamOwnership.Claim.UNAVAILABLE;
        PublishRejectedException refused = assertThrows(PublishRejectedException.class, this::begin);
        assertEquals(Reason.UNAVAILABLE, refused.reason());
        assertEquals("the stream is moving between nodes or the database is unreachable, try again", refused.getMessage());

        ownership.failure = new IllegalStateException("connection refused");
        PublishRejectedException failed = assertThrows(PublishRejectedException.class, this::begin);
        assertEquals(Reason.UNAVAILABLE, failed.reason(), "an ownership that throws is undecided too");
        assertEquals(2, registry.counters().publishRejections(Reason.UNAVAILABLE));
        assertTrue(registry.liveStreams().isEmpty());
        assertTrue(links.isEmpty());
    }

    @Test
    void aStreamUnknownByItsKeyIsNeverClaimed() throws Exception {
        registry();
        assertThrows(PublishRejectedException.class, () -> registry.beginPublish("not-a-key", loop));
        assertEquals(List.of(), ownership.calls);
    }

    @Test
    void aClaimedStreamThatFailsToOpenIsReleasedOnceWhetherOrNotItWasVisible() throws Exception {
        AtomicBoolean failDirectory = new AtomicBoolean(true);
        AtomicReference<Boolean> secondAuthorization = new AtomicReference<>(true);
        DestinationTarget target = new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(destinationKey));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant(STREAM, "S"), Secret.of(ingestKey), List.of(target))));
        int[] authorizations = {0};
        registry = new StreamRegistry(key -> {
            // Every second read of the key (the one after the stream is visible) answers "unknown" when asked to.
            boolean second = ++authorizations[0] % 2 == 0;
            return second && !secondAuthorization.get() ? Optional.empty() : catalog.authorize(key);
        }, streamId -> {
            if (failDirectory.get()) {
                throw new IllegalStateException("database unreachable");
            }
            return catalog.destinationsOf(streamId);
        }, connector, StreamRegistry.Settings.defaults().withOwnership(ownership));

        // Before the stream is visible: the destinations cannot be read.
        assertThrows(IllegalStateException.class, () -> registry.beginPublish(ingestKey, loop));
        assertEquals(List.of("claim s1", "released s1"), ownership.calls);

        // After: the stream was deleted between the two reads of its key; the stream's end releases it.
        ownership.calls.clear();
        failDirectory.set(false);
        authorizations[0] = 0;
        secondAuthorization.set(false);
        PublishRejectedException deleted = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish(ingestKey, loop));
        assertEquals(Reason.UNKNOWN_KEY, deleted.reason());
        settle();
        assertEquals(List.of("claim s1", "released s1"), ownership.calls, "once, not once per way out");
        assertTrue(registry.liveStreams().isEmpty());
    }

    @Test
    void theLeaseIsGivenBackOnlyOnceEveryDestinationHasUnpublishedOrTwoSecondsPassed() throws Exception {
        registry();
        Publication first = begin();
        MemoryLink link = liveLink(0);
        link.closeReportedLater = true;
        loop.submit(first::end).get();
        settle();
        assertTrue(link.closed, "the goodbye started");
        assertFalse(ownership.calls.contains("released s1"), "still publishing to the destination: another node must not start");

        link.reportClosed();
        settle();
        assertEquals("released s1", ownership.calls.get(ownership.calls.size() - 1));
        assertEquals(0, clock.pending(), "the bound on the wait is cancelled");

        Publication again = begin();
        MemoryLink silent = liveLink(1);
        silent.closeReportedLater = true;
        ownership.calls.clear();
        loop.submit(again::end).get();
        settle();
        loop.submit(() -> clock.advance(Duration.ofMillis(1999))).get();
        assertEquals(List.of(), ownership.calls);
        loop.submit(() -> clock.advance(Duration.ofMillis(1))).get();
        assertEquals(List.of("released s1"), ownership.calls, "a destination that never says it closed holds nothing for ever");
        silent.reportClosed();
        settle();
        assertEquals(List.of("released s1"), ownership.calls, "once");
    }

    @Test
    void movedEndsAStreamInItsGraceAsMovedAndLeavesALiveOneAlone() throws Exception {
        registry();
        assertFalse(registry.moved(STREAM), "not here");

        Publication first = begin();
        MemoryLink link = liveLink(0);
        assertFalse(registry.moved(STREAM), "its publisher feeds it here: it stays");
        assertFalse(link.closed);
        assertEquals(StreamState.LIVE, first.stream().state());

        loop.submit(() -> first.lost("connection closed")).get();
        assertTrue(registry.moved(STREAM));
        assertTrue(link.closed, "the destination unpublished");
        assertTrue(ownership.calls.contains("released s1"), "given back before moved returned: " + ownership.calls);
        assertTrue(registry.liveStreams().isEmpty());
        settle();
        assertEquals(EndReason.MOVED, ended.get(0).endReason());
        assertFalse(registry.moved(STREAM), "gone now");
    }

    @Test
    void endAllEndsEveryStreamWithTheReasonAndDisconnectsItsPublisher() throws Exception {
        registry();
        Publication first = begin();
        MemoryLink link = liveLink(0);
        AtomicBoolean disconnected = new AtomicBoolean();
        first.onDisconnectRequest(() -> disconnected.set(true));

        registry.endAll(EndReason.FENCED, id -> !id.equals(STREAM));
        settle();
        assertEquals(StreamState.LIVE, first.stream().state(), "a stream the filter leaves out goes on");
        assertFalse(disconnected.get());

        registry.endAll(EndReason.FENCED);
        settle();
        assertTrue(registry.liveStreams().isEmpty());
        assertTrue(link.closed);
        assertTrue(disconnected.get(), "the encoder is told to go (it may reconnect to a node that has the database)");
        assertEquals(EndReason.FENCED, ended.get(0).endReason());
        assertTrue(ownership.calls.contains("released s1"));
    }

    /** A catalog that throws (the database is down) is a refusal counted like any other, not a dropped connection. */
    @Test
    void aCatalogFailureIsACountedRefusalToTryAgain() throws Exception {
        registry = new StreamRegistry(key -> {
            throw new IllegalStateException("could not find a stream by key");
        }, streamId -> List.of(), connector, StreamRegistry.Settings.defaults().withOwnership(ownership));

        PublishRejectedException refused = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish(ingestKey, loop));
        assertEquals(Reason.UNAVAILABLE, refused.reason());
        assertEquals("database unreachable, try again", refused.getMessage());
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> registry.beginPublishAsync(ingestKey, loop, null).get());
        assertInstanceOf(PublishRejectedException.class, async.getCause());
        assertEquals(2, registry.counters().publishRejections(Reason.UNAVAILABLE));
        assertEquals(List.of(), ownership.calls);
    }
}
