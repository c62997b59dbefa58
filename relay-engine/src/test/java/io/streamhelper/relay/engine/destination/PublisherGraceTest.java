package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stream outliving its publisher's connection (issue 19), with in-memory destination links and
 * every clock (the grace, the takeover silence, the gap, the destinations' backoff) in virtual
 * time: {@link #advance} moves it on the stream's loop. What is checked is what a platform would
 * see: whether its connection stays published, which tags reach it and on which timeline.
 */
class PublisherGraceTest extends RegistryFixture {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private StreamRegistry registry;

    private StreamRegistry registry(Duration grace) {
        registry = newRegistry(StreamRegistry.Settings.defaults()
                .withPublisherGrace(grace)
                .withListener(new StreamRegistry.Listener() {
                    @Override
                    public void streamStarted(LiveStream stream) {
                        started.incrementAndGet();
                    }

                    @Override
                    public void streamEnded(LiveStream stream) {
                        ended.incrementAndGet();
                    }
                }));
        return registry;
    }

    /** A publish with the key from a connection on the stream's loop. */
    private Publication begin(String address) throws Exception {
        return loop.submit(() -> registry.beginPublish(ingestKey, loop, address)).get();
    }

    private void publish(Publication publication, MediaMessage... tags) throws Exception {
        loop.submit(() -> {
            for (MediaMessage t : tags) {
                publication.publish(t);
            }
        }).get();
    }

    private void advance(Duration by) throws Exception {
        loop.submit(() -> clock.advance(by)).get();
    }

    private void settle() throws Exception {
        loop.submit(() -> { }).get();
    }

    /**
     * Twice round the loop: a link's close is reported in a task of its own, and only then does
     * the ended stream cancel its bound on waiting for its destinations to unpublish.
     */
    private void settleCloses() throws Exception {
        settle();
        settle();
    }

    /** The streamer's stop, as the ingest reports it: from the connection's loop. */
    private void stop(Publication publication) throws Exception {
        loop.submit(publication::end).get();
    }

    private void lose(Publication publication) throws Exception {
        loop.submit(() -> publication.lost("connection closed")).get();
    }

    private MemoryLink goLive(int index) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> links.size() > index);
        MemoryLink link = links.get(index);
        link.listener.onLive(link);
        settle();
        return link;
    }

    private DestinationRelay relay(LiveStream stream) {
        return registry.relays(stream).get(0);
    }

    private static MediaMessage metadata() {
        return tag(MediaKind.METADATA, 0, 2);
    }

    /** An AVC sequence header; {@code config} stands for the encoder's settings (resolution...). */
    private static MediaMessage videoHeader(int config) {
        return tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, config);
    }

    private static MediaMessage key(long ts) {
        return tag(MediaKind.VIDEO, ts, 0x17, 1, 0, 0, 0);
    }

    private static MediaMessage inter(long ts) {
        return tag(MediaKind.VIDEO, ts, 0x27, 1, 0, 0, 0);
    }

    /** "M", "H", "K@ts", "I@ts", "A@ts": what a destination was sent, in order. */
    private static List<String> described(List<MediaMessage> sent) {
        return sent.stream().map(m -> {
            if (m.kind() == MediaKind.METADATA) {
                return "M";
            }
            if (m.isSequenceHeader()) {
                return "H";
            }
            if (m.kind() == MediaKind.VIDEO) {
                return (m.isVideoKeyframe() ? "K@" : "I@") + m.timestamp();
            }
            return m.kind().name().charAt(0) + "@" + m.timestamp();
        }).toList();
    }

    /** A publisher live with one destination live on it: header, keyframe at 0, inter frame at 33. */
    private MemoryLink liveWithOneDestination(Publication publisher) throws Exception {
        publish(publisher, metadata(), videoHeader(1), key(0), inter(33));
        MemoryLink link = goLive(links.size() - 1); // its relay connected as the publish was granted
        assertEquals(List.of("M", "H", "K@0", "I@33"), described(link.sent));
        return link;
    }

    @Test
    void aLostPublisherLeavesEveryDestinationPublishedUntilTheGraceRunsOut() throws Exception {
        registry(GRACE);
        Publication first = begin("203.0.113.7:5000");
        LiveStream stream = first.stream();
        MemoryLink link = liveWithOneDestination(first);

        lose(first);
        assertEquals(StreamState.RECONNECTING, stream.state());
        assertNotNull(stream.graceEndsAt());
        assertSame(stream, registry.liveStream(STREAM).orElseThrow(), "still the stream of its key");
        assertEquals("203.0.113.7:5000", stream.publisherAddress(), "the last publisher is kept while reconnecting");
        assertFalse(first.isCurrent());

        advance(GRACE.minusMillis(1));
        assertEquals(StreamState.RECONNECTING, stream.state());
        assertFalse(link.closed, "the destination's connection stays open and published through the grace");
        assertEquals(DestinationState.LIVE, relay(stream).state());
        assertEquals(0, ended.get());

        advance(Duration.ofMillis(1));
        assertEquals(StreamState.ENDED, stream.state());
        assertNull(stream.graceEndsAt());
        assertTrue(link.closed, "the grace ran out: the destination is ended as after a stop");
        assertTrue(registry.liveStreams().isEmpty());
        assertEquals(1, registry.counters().gapsExpired());
        assertEquals(0, registry.counters().gapsBridged());
        assertEquals(1, started.get());
        assertEquals(1, ended.get());
        settleCloses();
        assertEquals(0, clock.pending(), "nothing of the stream is left scheduled");
    }

    @Test
    void withNoGraceALostPublisherEndsTheStreamAtOnceAsBefore() throws Exception {
        registry(Duration.ZERO);
        Publication first = begin(null);
        MemoryLink link = liveWithOneDestination(first);
        lose(first);
        assertEquals(StreamState.ENDED, first.stream().state());
        assertTrue(link.closed);
        assertEquals(0, registry.counters().gapsExpired() + registry.counters().gapsBridged());
    }

    @Test
    void aPublisherBackWithinTheGraceContinuesTheSameStreamOnTheSameConnectionsAfterTheGap() throws Exception {
        registry(GRACE);
        Publication first = begin("203.0.113.7:5000");
        LiveStream stream = first.stream();
        MemoryLink link = liveWithOneDestination(first);
        DestinationRelay relay = relay(stream);
        publish(first, inter(1000));
        int scheduled = clock.pending();

        lose(first);
        assertEquals(scheduled + 1, clock.pending(), "the grace timer");
        advance(Duration.ofMillis(3120));
        Publication second = begin("203.0.113.7:5001");

        assertSame(stream, second.stream(), "the same LiveStream");
        assertSame(relay, relay(stream), "the same destination relay");
        assertEquals(1, links.size(), "the same destination connection: nothing published again");
        assertFalse(link.closed);
        assertEquals(StreamState.LIVE, stream.state());
        assertNull(stream.graceEndsAt());
        assertEquals(1, stream.publisherReconnects());
        assertEquals("203.0.113.7:5001", stream.publisherAddress());
        assertEquals(1, registry.counters().gapsBridged());
        assertEquals(scheduled, clock.pending(), "the grace timer is cancelled");

        // The new encoder starts its clock at 0 again, with new settings; an inter frame before
        // its first keyframe cannot be decoded on the destination and must not reach it.
        publish(second, metadata(), videoHeader(2), inter(0), key(0), inter(33));
        assertEquals(List.of("M", "H", "K@0", "I@33", "I@1000", "M", "H", "K@4120", "I@4153"), described(link.sent),
                "headers first, video from the keyframe, time moved on by the 3120 ms gap");
        assertEquals(2, link.sent.get(6).content().getByte(5), "the new sequence header, in-band on the same connection");
        assertEquals(1, relay.framesDropped());
        assertEquals(1, started.get(), "the listener hears of one stream");
        assertEquals(0, ended.get());

        stop(second);
        assertEquals(StreamState.ENDED, stream.state());
        assertTrue(link.closed);
        assertEquals(1, ended.get());
    }

    @Test
    void aNewcomerIsRefusedWhileTheCurrentPublisherSendsAndTakesOverOnceItFallsSilent() throws Exception {
        registry(GRACE);
        Publication first = begin("203.0.113.7:5000");
        AtomicBoolean firstClosed = new AtomicBoolean();
        first.onDisconnectRequest(() -> firstClosed.set(true));
        LiveStream stream = first.stream();
        MemoryLink link = liveWithOneDestination(first);
        advance(Duration.ofMillis(1500));
        publish(first, inter(1500));

        advance(Duration.ofMillis(1999));
        ExecutionException refused = assertThrows(ExecutionException.class, () -> begin("198.51.100.9:6000"));
        PublishRejectedException rejection = assertInstanceOf(PublishRejectedException.class, refused.getCause());
        assertEquals(PublishRejectedException.Reason.ALREADY_LIVE, rejection.reason());
        assertEquals("the stream is live from another encoder", rejection.getMessage());
        assertFalse(firstClosed.get());
        assertTrue(first.isCurrent());
        assertEquals("203.0.113.7:5000", stream.publisherAddress());

        advance(Duration.ofMillis(1));
        Publication second = begin("198.51.100.9:6000");
        assertTrue(firstClosed.get(), "the silent publisher's connection is closed");
        assertFalse(first.isCurrent());
        assertTrue(second.isCurrent());
        assertSame(stream, second.stream());
        assertEquals(StreamState.LIVE, stream.state());
        assertEquals(1, stream.publisherReconnects());
        assertEquals(1, registry.counters().gapsBridged());

        // The same encoder settings as before: still no inter frame before the new keyframe.
        publish(second, videoHeader(1), inter(0), key(0));
        // The stale publisher: what it still hands over is released and goes nowhere, and its
        // connection's close or stop changes nothing.
        MediaMessage late = inter(1533);
        publish(first, late);
        assertEquals(0, late.refCnt());
        lose(first);
        stop(first);
        assertEquals(StreamState.LIVE, stream.state());
        assertEquals(List.of("M", "H", "K@0", "I@33", "I@1500", "H", "K@3500"), described(link.sent),
                "the gap counts from the old publisher's last media");
        stop(second);
        assertTrue(link.closed);
    }

    @Test
    void aPublisherOnAnotherLoopHandsItsTagsToTheStreamsLoopInOrder() throws Exception {
        registry(GRACE);
        Publication first = begin(null);
        MemoryLink link = liveWithOneDestination(first);
        lose(first);
        Publication second = registry.beginPublish(ingestKey, otherLoop, null);
        assertSame(loop, second.stream().executor(), "the stream stays on its loop");
        otherLoop.submit(() -> {
            second.publish(videoHeader(1));
            second.publish(key(0));
            for (int i = 1; i <= 50; i++) {
                second.publish(i % 2 == 0 ? inter(i * 33L) : tag(MediaKind.AUDIO, i * 33L, 0xAF, 1));
            }
        }).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> link.sent.size() == 4 + 52);
        List<Long> times = link.sent.subList(5, link.sent.size()).stream().map(MediaMessage::timestamp).toList();
        for (int i = 1; i < times.size(); i++) {
            assertEquals(times.get(0) + 33L * i, times.get(i), "in order, at the publisher's pace: " + times);
        }
        stop(second);
    }

    @Test
    void aDestinationThatDropsDuringTheGraceReconnectsAndGetsNoPictureFromBeforeTheGap() throws Exception {
        registry(GRACE);
        Publication first = begin(null);
        LiveStream stream = first.stream();
        MemoryLink dropped = liveWithOneDestination(first);
        lose(first);

        loop.submit(() -> dropped.abort(new IOException("connection reset"))).get();
        settle();
        assertEquals(DestinationState.RETRYING, relay(stream).state());
        advance(Duration.ofSeconds(2)); // the first backoff is 1 s, +-20 %
        MemoryLink back = goLive(1);
        assertEquals(List.of("M", "H"), described(back.sent), "headers, and no frame from before the gap");

        // One added during the grace is no different.
        assertTrue(registry.applyDestination(STREAM, new DestinationTarget("d2", "two", "rtmp://example/other",
                Secret.of(TestKeys.destination()))));
        MemoryLink added = goLive(2);
        assertEquals(List.of("M", "H"), described(added.sent));

        Publication second = begin(null);
        publish(second, inter(0), key(0), inter(33));
        for (MemoryLink link : List.of(back, added)) {
            List<String> sent = described(link.sent);
            assertEquals(4, sent.size(), sent.toString());
            assertTrue(sent.get(2).startsWith("K@") && sent.get(3).startsWith("I@"), "video resumes at the keyframe: " + sent);
        }
        stop(second);
        assertTrue(back.closed && added.closed);
    }

    @Test
    void aStalePublicationNeverTouchesTheNextStreamOfItsKey() throws Exception {
        registry(GRACE);
        Publication first = begin(null);
        stop(first); // the streamer's stop: no grace
        assertEquals(StreamState.ENDED, first.stream().state());
        assertEquals(0, registry.counters().gapsExpired() + registry.counters().gapsBridged());
        Publication second = begin(null);
        assertNotSame(first.stream(), second.stream(), "a stop ends the stream; the next publish opens a new one");
        MemoryLink link = liveWithOneDestination(second);

        MediaMessage late = inter(66);
        publish(first, late);
        assertEquals(0, late.refCnt());
        lose(first);
        stop(first);
        assertEquals(StreamState.LIVE, second.stream().state());
        assertEquals(4, link.sent.size());
        stop(second);
    }

    enum Ending { STREAM_DELETED, KEY_ROTATED, LAST_DESTINATION_REMOVED, SERVER_SHUTDOWN }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void aStreamTakenAwayDuringTheGraceEndsCleanlyAtEveryDestination(Ending how) throws Exception {
        registry(GRACE);
        Publication first = begin(null);
        LiveStream stream = first.stream();
        MemoryLink link = liveWithOneDestination(first);
        DestinationRelay relay = relay(stream);
        int scheduled = clock.pending();
        lose(first);
        assertEquals(StreamState.RECONNECTING, stream.state());
        assertEquals(scheduled + 1, clock.pending(), "the grace timer");

        switch (how) {
            case STREAM_DELETED -> assertTrue(registry.disconnect(STREAM));
            case KEY_ROTATED -> assertTrue(registry.keyRotated(STREAM));
            case LAST_DESTINATION_REMOVED -> assertTrue(registry.removeDestination(STREAM, "d1"));
            case SERVER_SHUTDOWN -> {
                registry.stopAccepting();
                registry.liveStreams().forEach(registry::endPublish);
            }
        }
        settle();
        assertEquals(StreamState.ENDED, stream.state());
        assertTrue(link.closed, "the destination's normal stop (FCUnpublish and deleteStream on the wire)");
        assertEquals(DestinationState.STOPPED, relay.state());
        assertTrue(registry.liveStreams().isEmpty());
        settleCloses();
        assertEquals(0, clock.pending(), "the grace timer is cancelled");
        assertEquals(0, registry.counters().gapsExpired() + registry.counters().gapsBridged());
        assertEquals(1, ended.get());
    }

    @Test
    void aKeyRotationLeavesALiveStreamAlone() throws Exception {
        registry(GRACE);
        Publication first = begin(null);
        MemoryLink link = liveWithOneDestination(first);
        assertFalse(registry.keyRotated(STREAM));
        assertEquals(StreamState.LIVE, first.stream().state());
        assertFalse(link.closed);
        stop(first);
    }

    @Test
    void aPublisherLostWhileTheServerShutsDownStartsNoGrace() throws Exception {
        registry(GRACE);
        Publication first = begin(null);
        MemoryLink link = liveWithOneDestination(first);
        registry.stopAccepting();
        lose(first);
        assertEquals(StreamState.ENDED, first.stream().state());
        assertTrue(link.closed);
        settleCloses();
        assertEquals(0, clock.pending());
    }
}
