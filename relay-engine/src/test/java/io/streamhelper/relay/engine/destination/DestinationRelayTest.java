package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.AudioHold;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The relay's decisions for one destination, with an in-memory link standing in for the network
 * (the real RTMP client is tested against nginx-rtmp elsewhere): what is sent first, where video
 * starts, what a full buffer drops, which timeline a reconnect continues on, and how refusals and
 * network errors differ. Every timer (backoff, refusal retry, stable reset, stall) runs in
 * virtual time: {@link #advance} moves the clock on the stream's loop.
 */
class DestinationRelayTest {
    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final List<MemoryLink> links = new CopyOnWriteArrayList<>();
    private final ManualScheduler clock = new ManualScheduler();
    private final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            MemoryLink link = new MemoryLink(listener);
            links.add(link);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return virtualTimers(clock);
        }
    };

    /** The engine's timers on a test's virtual clock. */
    static Timers virtualTimers(ManualScheduler clock) {
        return Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);
    }

    /** Moves virtual time on the stream's loop, where the relay's timers touch its state. */
    private void advance(Duration by) throws Exception {
        loop.submit(() -> clock.advance(by)).get();
    }

    /** Runs what the loop has queued (link callbacks go through it). */
    private void settle() throws Exception {
        loop.submit(() -> { }).get();
    }

    private final String ingestKey = TestKeys.ingest();
    private final String destinationKey = TestKeys.destination();

    private StreamRegistry registry;

    private LiveStream start() throws Exception {
        return start(0);
    }

    private LiveStream start(long audioHoldMillis) throws Exception {
        DestinationTarget target = new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(destinationKey));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "S"), Secret.of(ingestKey), List.of(target))));
        registry = new StreamRegistry(catalog, catalog, connector,
                StreamRegistry.Settings.defaults().withAudioHold(new AudioHold(audioHoldMillis, 1)));
        return loop.submit(() -> registry.beginPublish(ingestKey, loop).stream()).get();
    }

    private static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, ts, b);
    }

    private void publish(LiveStream stream, MediaMessage... tags) throws Exception {
        loop.submit(() -> {
            for (MediaMessage t : tags) {
                stream.publish(t);
            }
        }).get();
    }

    private DestinationRelay relay(LiveStream stream) {
        return registry.relays(stream).get(0);
    }

    private void goLive(int index) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> links.size() > index);
        MemoryLink link = links.get(index);
        link.listener.onLive(link);
    }

    private static MediaMessage videoHeader() {
        return tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0);
    }

    private static MediaMessage key(long ts) {
        return tag(MediaKind.VIDEO, ts, 0x17, 1, 0, 0, 0);
    }

    private static MediaMessage inter(long ts) {
        return tag(MediaKind.VIDEO, ts, 0x27, 1, 0, 0, 0);
    }

    @Test
    void joinsWithHeadersThenTheGopAndStartsItsTimelineAtZero() throws Exception {
        LiveStream stream = start();
        publish(stream, tag(MediaKind.METADATA, 0, 2), videoHeader(), key(5000), inter(5033));
        goLive(0);
        await().until(() -> links.get(0).sent.size() == 4);
        publish(stream, inter(5066));
        await().until(() -> links.get(0).sent.size() == 5);
        List<Long> times = links.get(0).sent.stream().map(MediaMessage::timestamp).toList();
        assertEquals(List.of(0L, 0L, 0L, 33L, 66L), times);
        assertEquals(DestinationState.LIVE, relay(stream).state());
        links.get(0).releaseAll();
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void heldAudioIsQueuedOnTheLinkAndLeavesWithTheNextVideoFrame() throws Exception {
        LiveStream stream = start(10_000);
        publish(stream, videoHeader(), key(1000));
        goLive(0);
        await().until(() -> links.get(0).calls.contains("flush"));
        assertEquals(List.of("queue V@0", "queue V@0", "flush"), links.get(0).calls,
                "the joining snapshot goes out in one flush");
        publish(stream, tag(MediaKind.AUDIO, 1010, 0xAF, 1, 0x21), inter(1033));
        await().until(() -> links.get(0).calls.size() == 5);
        assertEquals(List.of("queue A@10", "send V@33"), links.get(0).calls.subList(3, 5));
        links.get(0).releaseAll();
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    /**
     * A link that goes live and fails while the joining snapshot is sent is retried like any
     * lost link, and nothing else is left scheduled: before, the stable reset was armed after the
     * failed join and reset the backoff a minute later, in the middle of the retries.
     */
    @Test
    void aLinkThatFailsWhileJoiningLeavesOnlyItsRetryScheduled() throws Exception {
        LiveStream stream = start();
        publish(stream, videoHeader(), key(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> links.size() == 1);
        links.get(0).failure = message -> new IllegalStateException("send failed");
        goLive(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay(stream).state() == DestinationState.RETRYING);
        settle();
        assertEquals(1, clock.pending(), "the retry, and no stable reset for a link that never got its snapshot out");
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        assertEquals(0, clock.pending(), "stopping cancels the retry");
    }

    /** The first link live, with the video header and a keyframe sent on it. */
    private MemoryLink liveOnAKeyframe(LiveStream stream) throws Exception {
        publish(stream, videoHeader(), key(0));
        goLive(0);
        await().until(() -> links.get(0).sent.size() == 2);
        return links.get(0);
    }

    @Test
    void aFullBufferDropsUntilTheNextKeyframeAndResendsHeaders() throws Exception {
        LiveStream stream = start();
        MemoryLink link = liveOnAKeyframe(stream);
        link.writable = false;
        publish(stream, inter(33), tag(MediaKind.AUDIO, 40, 0xAF, 1), inter(66));
        link.writable = true;
        publish(stream, inter(100), key(2000));
        await().until(() -> link.sent.size() == 4);
        assertEquals(3, relay(stream).framesDropped(), "two inter frames while full, one after, until the keyframe");
        assertTrue(link.sent.get(2).isSequenceHeader(), "headers again before the new keyframe");
        assertTrue(link.sent.get(3).isVideoKeyframe());
        link.releaseAll();
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void aStalledDestinationIsReconnectedEvenIfItsCloseNeverCompletes() throws Exception {
        LiveStream stream = start();
        MemoryLink stuck = liveOnAKeyframe(stream);
        stuck.reportsClose = false;
        stuck.writable = false;
        publish(stream, inter(33)); // the buffer is found full
        advance(DestinationRelay.STALL_TIMEOUT.minusMillis(1));
        assertFalse(stuck.closed, "not yet a stall");
        publish(stream, inter(66)); // still full: the timer keeps running from the first full look
        advance(Duration.ofMillis(1));
        assertTrue(stuck.closed, "the stalled link was aborted");
        assertEquals(DestinationState.RETRYING, relay(stream).state(), "not live on a link it gave up on");
        assertTrue(relay(stream).lastError().contains("stalled"), relay(stream).lastError());
        advance(Duration.ofMillis(1200));
        assertEquals(2, links.size(), "reconnected after the first backoff");
        goLive(1);
        await().until(() -> relay(stream).state() == DestinationState.LIVE);
        // The old link's close, should it ever be reported, changes nothing.
        stuck.listener.onClosed(stuck, new IOException("late close"));
        loop.submit(() -> { }).get();
        assertEquals(DestinationState.LIVE, relay(stream).state());
        links.forEach(MemoryLink::releaseAll);
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void aNetworkErrorReconnectsAndTheTimelineContinues() throws Exception {
        LiveStream stream = start();
        publish(stream, videoHeader(), key(1000));
        goLive(0);
        publish(stream, inter(1033), inter(1066));
        await().until(() -> links.get(0).sent.size() == 4);
        links.get(0).listener.onClosed(links.get(0), new IOException("connection reset"));
        await().until(() -> relay(stream).state() == DestinationState.RETRYING);
        assertTrue(relay(stream).lastError().contains("connection reset"));
        // Backoff starts around one second; then a new link, which joins at the cached GOP.
        advance(Duration.ofMillis(1200));
        assertEquals(2, links.size());
        goLive(1);
        await().until(() -> links.get(1).sent.size() == 4);
        List<Long> second = links.get(1).sent.stream().map(MediaMessage::timestamp).toList();
        assertEquals(List.of(67L, 67L, 100L, 133L), second, "continues after the last tag sent (66 ms)");
        assertEquals(1, relay(stream).reconnects());
        links.forEach(MemoryLink::releaseAll);
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void aRefusalIsNotRetriedSoonAndNeverShowsTheKey() throws Exception {
        LiveStream stream = start();
        await().until(() -> links.size() == 1);
        links.get(0).listener.onClosed(links.get(0), new DestinationRejectedException("server said " + destinationKey + " is bad"));
        await().until(() -> relay(stream).state() == DestinationState.REJECTED);
        assertFalse(relay(stream).lastError().contains(destinationKey), relay(stream).lastError());
        advance(DestinationRelay.REJECTED_RETRY.minusMillis(1));
        assertEquals(1, links.size(), "no retry within five minutes of a refusal");
        advance(Duration.ofMillis(1));
        assertEquals(2, links.size(), "retried five minutes after it");
        assertEquals(DestinationState.CONNECTING, relay(stream).state());
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        assertEquals(DestinationState.STOPPED, relay(stream).state());
    }

    @Test
    void aHangUpInAnswerToPublishIsTriedOnceMoreBeforeItCountsAsARefusal() throws Exception {
        LiveStream stream = start();
        await().until(() -> links.size() == 1);
        links.get(0).listener.onClosed(links.get(0), DestinationRejectedException.hungUp("hung up in answer to publish"));
        await().until(() -> relay(stream).state() == DestinationState.RETRYING);
        // A server that crashed or restarted just then: the next attempt comes after the usual backoff.
        advance(Duration.ofMillis(1200));
        assertEquals(2, links.size());
        links.get(1).listener.onClosed(links.get(1), DestinationRejectedException.hungUp("hung up in answer to publish"));
        await().until(() -> relay(stream).state() == DestinationState.REJECTED);
        assertEquals(DestinationRelay.REJECTED_RETRY, clock.nextDueIn(), "a second hang-up in a row is a refusal");
        advance(Duration.ofMinutes(4));
        assertEquals(2, links.size(), "not retried soon");
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void aHangUpAfterHavingBeenLiveStartsTheCountAgain() throws Exception {
        LiveStream stream = start();
        await().until(() -> links.size() == 1);
        links.get(0).listener.onClosed(links.get(0), DestinationRejectedException.hungUp("hung up in answer to publish"));
        settle();
        advance(Duration.ofMillis(1200));
        assertEquals(2, links.size());
        goLive(1);
        await().until(() -> relay(stream).state() == DestinationState.LIVE);
        links.get(1).listener.onClosed(links.get(1), new IOException("reset"));
        settle();
        advance(Duration.ofMillis(2400));
        assertEquals(3, links.size());
        links.get(2).listener.onClosed(links.get(2), DestinationRejectedException.hungUp("hung up in answer to publish"));
        await().until(() -> relay(stream).state() == DestinationState.RETRYING
                && relay(stream).lastError().contains("in answer to publish"));
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void stoppingEndsTheLinkAndNeverReconnects() throws Exception {
        LiveStream stream = start();
        goLive(0);
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        assertTrue(links.get(0).closed);
        await().until(() -> relay(stream).state() == DestinationState.STOPPED);
        List<MemoryLink> before = new ArrayList<>(links);
        settle();
        assertEquals(0, clock.pending(), "no timer left behind");
        advance(Duration.ofMinutes(10));
        assertEquals(before, links);
    }

    /** Fails the current link with a network error and returns the delay the relay chose. */
    private Duration failAndReadTheBackoff(LiveStream stream, int index) throws Exception {
        links.get(index).listener.onClosed(links.get(index), new IOException("reset"));
        settle();
        assertEquals(DestinationState.RETRYING, relay(stream).state());
        assertEquals(1, clock.pending(), "one timer: the reconnect");
        return clock.nextDueIn();
    }

    private static void assertWithinJitter(Duration base, Duration delay) {
        long low = base.toMillis() * 8 / 10;
        long high = base.toMillis() * 12 / 10;
        assertTrue(delay.toMillis() >= low && delay.toMillis() <= high, delay + " not within 20 % of " + base);
    }

    @Test
    void theBackoffStartsAtOneSecondAndDoublesToAMinute() throws Exception {
        LiveStream stream = start();
        long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 60, 60, 60};
        for (int i = 0; i < expectedSeconds.length; i++) {
            Duration delay = failAndReadTheBackoff(stream, i);
            assertWithinJitter(Duration.ofSeconds(expectedSeconds[i]), delay);
            advance(delay.minusMillis(1));
            assertEquals(i + 1, links.size(), "not before its backoff");
            advance(Duration.ofMillis(1));
            assertEquals(i + 2, links.size(), "reconnected when its backoff ran out");
            assertEquals(DestinationState.CONNECTING, relay(stream).state());
        }
        assertEquals(expectedSeconds.length, relay(stream).reconnects());
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    /** Three failures (1, 2, 4 s), then live for {@code liveFor}, then lost: the delay chosen then. */
    private Duration backoffAfterBeingLiveFor(Duration liveFor) throws Exception {
        LiveStream stream = start();
        for (int i = 0; i < 3; i++) {
            advance(failAndReadTheBackoff(stream, i));
        }
        goLive(3);
        settle();
        assertEquals(DestinationState.LIVE, relay(stream).state());
        advance(liveFor);
        Duration delay = failAndReadTheBackoff(stream, 3);
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        return delay;
    }

    @Test
    void aMinuteLiveResetsTheBackoff() throws Exception {
        assertWithinJitter(Duration.ofSeconds(1), backoffAfterBeingLiveFor(DestinationRelay.STABLE_AFTER));
    }

    @Test
    void lessThanAMinuteLiveKeepsTheBackoffGrowing() throws Exception {
        assertWithinJitter(Duration.ofSeconds(8), backoffAfterBeingLiveFor(DestinationRelay.STABLE_AFTER.minusMillis(1)));
    }

    @Test
    void aBufferThatDrainsBeforeTheStallTimeoutKeepsTheLink() throws Exception {
        LiveStream stream = start();
        MemoryLink link = liveOnAKeyframe(stream);
        link.writable = false;
        publish(stream, inter(33));
        advance(Duration.ofSeconds(4));
        link.writable = true;
        publish(stream, inter(66)); // found draining: the stall timer stops
        link.writable = false;
        publish(stream, inter(100)); // full again: a new five seconds start
        advance(Duration.ofSeconds(4));
        assertFalse(link.closed, "full twice for 4 s is not a stall");
        assertEquals(DestinationState.LIVE, relay(stream).state());
        advance(Duration.ofSeconds(1));
        assertTrue(link.closed, "full for 5 s without draining is");
        link.releaseAll();
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
    }

    @Test
    void stoppingBeforeItStartedLeavesNothingScheduled() throws Exception {
        LiveStream stream = start();
        DestinationTarget other = new DestinationTarget("d2", "two", "rtmp://example/app", Secret.of(TestKeys.destination()));
        DestinationRelay idle = new DestinationRelay(stream, other, connector);
        assertEquals(DestinationState.IDLE, idle.state());
        loop.submit(idle::stop).get();
        assertEquals(DestinationState.STOPPED, idle.state());
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        settle();
        assertEquals(0, clock.pending());
        assertEquals(1, links.size(), "the stopped one never connected");
    }

    @ParameterizedTest
    @EnumSource(value = DestinationState.class, names = {"CONNECTING", "LIVE", "RETRYING", "REJECTED"})
    void stoppingInAnyStateEndsItForGoodWithNoTimerLeft(DestinationState before) throws Exception {
        LiveStream stream = start();
        await().until(() -> links.size() == 1);
        switch (before) {
            case LIVE -> {
                MemoryLink link = liveOnAKeyframe(stream);
                link.writable = false;
                publish(stream, inter(33)); // the stall timer runs too
                assertEquals(2, clock.pending(), "stable reset and stall");
            }
            case RETRYING -> links.get(0).listener.onClosed(links.get(0), new IOException("reset"));
            case REJECTED -> links.get(0).listener.onClosed(links.get(0), new DestinationRejectedException("refused"));
            default -> { }
        }
        settle();
        assertEquals(before, relay(stream).state());
        int linksBefore = links.size();
        loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        settle();
        assertEquals(DestinationState.STOPPED, relay(stream).state());
        assertEquals(0, clock.pending(), "no timer left behind");
        advance(Duration.ofMinutes(10));
        assertEquals(linksBefore, links.size(), "never reconnects");
        assertEquals(DestinationState.STOPPED, relay(stream).state());
        links.forEach(MemoryLink::releaseAll);
    }
}
