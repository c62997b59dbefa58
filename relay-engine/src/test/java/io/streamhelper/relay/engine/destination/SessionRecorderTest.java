package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The session report a stream's listener gets when it ends (issue 21): why it ended, and for each
 * destination what a streamer asks after the show (when did it fail, why, for how long was it
 * live), all in virtual time on the {@link RegistryFixture}'s clock.
 */
class SessionRecorderTest extends RegistryFixture {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final List<SessionReport> reports = new CopyOnWriteArrayList<>();
    private StreamRegistry registry;

    private void registry(Duration grace) {
        registry = newRegistry(StreamRegistry.Settings.defaults().withPublisherGrace(grace)
                .withListener(new StreamRegistry.Listener() {
                    @Override
                    public void streamEnded(LiveStream stream, SessionReport session) {
                        reports.add(session);
                    }
                }));
    }

    private Publication begin() throws Exception {
        return loop.submit(() -> registry.beginPublish(ingestKey, loop, "203.0.113.7:5000")).get();
    }

    private void onLoop(Runnable task) throws Exception {
        loop.submit(task).get();
    }

    private void advance(Duration by) throws Exception {
        onLoop(() -> clock.advance(by));
    }

    private MemoryLink goLive(int index) throws Exception {
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(5)).until(() -> links.size() > index);
        MemoryLink link = links.get(index);
        link.listener.onLive(link);
        onLoop(() -> { });
        return link;
    }

    private void sendFrames(Publication publication) throws Exception {
        onLoop(() -> {
            publication.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, 1));
            publication.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
            publication.publish(tag(MediaKind.VIDEO, 33, 0x27, 1, 0, 0, 0));
        });
    }

    private static long videoTags(MemoryLink link) {
        return link.sent.stream().filter(m -> m.kind() == MediaKind.VIDEO).count();
    }

    private SessionReport onlyReport() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !reports.isEmpty());
        assertEquals(1, reports.size(), "one session, one report");
        return reports.get(0);
    }

    @Test
    void aDestinationLostMidShowSaysWhenAndWhyAndForHowLongItWasLive() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        Instant started = publisher.stream().startedAt();
        MemoryLink first = goLive(0);
        sendFrames(publisher);
        advance(Duration.ofSeconds(10));
        first.listener.onClosed(first, new IOException("Connection reset by peer " + destinationKey));
        onLoop(() -> { });
        advance(Duration.ofMillis(1200)); // the first backoff: 1 s ± 20 %
        MemoryLink second = goLive(1);
        advance(Duration.ofSeconds(5));
        onLoop(publisher::end);

        SessionReport report = onlyReport();
        assertEquals(EndReason.STOPPED, report.endReason());
        assertEquals(started, report.startedAt());
        assertEquals(started.plusMillis(16_200), report.endedAt(), "on the stream's clock");
        assertEquals(publisher.stream().bytesIn(), report.bytesIn());
        assertEquals(2, report.videoFrames());
        assertEquals(0, report.publisherReconnects());
        SessionReport.Destination d = report.destinations().get(0);
        assertEquals("d1", d.id());
        assertEquals("one", d.name());
        assertEquals("custom", d.platform());
        assertEquals("example", d.host(), "the host only, never the URL's path");
        assertEquals(15_000, d.liveMillis(), "10 s, then 5 s after the reconnect");
        assertEquals(1, d.reconnects());
        assertEquals(first.sent.size() + second.sent.size(), d.bytesSent(), "both connections' bytes");
        assertEquals(videoTags(first) + videoTags(second), d.framesSent(), "both connections' video");
        List<String> states = d.transitions().stream().map(SessionReport.Transition::state).toList();
        assertEquals(List.of("connecting", "live", "retrying", "connecting", "live", "stopped"), states);
        SessionReport.Transition lost = d.transitions().get(2);
        assertEquals(started.plusSeconds(10), lost.at());
        assertTrue(lost.error().startsWith("IOException: Connection reset by peer"), lost.error());
        assertFalse(lost.error().contains(destinationKey), "redacted as lastError is");
        assertNull(d.transitions().get(1).error());
        assertEquals(0, d.transitionsOmitted());
    }

    /**
     * While live, a thread other than the stream's loop (the API's) reads the session so far: the
     * states until now, the live time until now, and the running relay's bytes and reconnects,
     * counted once whether that relay is still running or has stopped.
     */
    @Test
    void theSessionSoFarShowsEachDestinationsStatesAndCountersWhileLive() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        LiveStream stream = publisher.stream();
        MemoryLink first = goLive(0);
        sendFrames(publisher);
        advance(Duration.ofSeconds(10));

        SessionReport.Destination live = soFar(stream);
        assertEquals(List.of("connecting", "live"), states(live));
        assertEquals(10_000, live.liveMillis(), "live until now, not until its last change");
        assertEquals(first.sent.size(), live.bytesSent(), "the running relay's bytes so far");
        assertEquals(videoTags(first), live.framesSent());
        assertEquals(0, live.reconnects());

        first.listener.onClosed(first, new IOException("Connection reset by peer " + destinationKey));
        onLoop(() -> { });
        SessionReport.Destination retrying = soFar(stream);
        assertEquals(List.of("connecting", "live", "retrying"), states(retrying));
        assertTrue(retrying.transitions().get(2).error().startsWith("IOException: Connection reset by peer"));
        assertFalse(retrying.toString().contains(destinationKey), "redacted as the report is");
        advance(Duration.ofMillis(1200));
        MemoryLink second = goLive(1);
        sendFrames(publisher);
        advance(Duration.ofSeconds(5));
        SessionReport.Destination back = soFar(stream);
        assertEquals(List.of("connecting", "live", "retrying", "connecting", "live"), states(back));
        assertEquals(1, back.reconnects());
        assertEquals(15_000, back.liveMillis());
        assertEquals(first.sent.size() + second.sent.size(), back.bytesSent(), "both connections' bytes");

        onLoop(() -> publisher.lost("connection reset"));
        assertEquals(back.bytesSent(), soFar(stream).bytesSent(), "still there while reconnecting");
        assertTrue(registry.removeDestination(STREAM, "d1"));
        SessionReport.Destination removed = soFar(stream);
        assertEquals("stopped", states(removed).get(states(removed).size() - 1));
        assertEquals(back.bytesSent(), removed.bytesSent(), "a stopped relay's bytes are counted once");
        assertEquals(1, removed.reconnects(), "and its reconnects");
        assertEquals(removed, onlyReport().destinations().get(0), "the report is the last of the session so far");
    }

    private static SessionReport.Destination soFar(LiveStream stream) {
        List<SessionReport.Destination> destinations = stream.sessionSoFar().destinations();
        assertEquals(1, destinations.size(), destinations.toString());
        return destinations.get(0);
    }

    private static List<String> states(SessionReport.Destination d) {
        return d.transitions().stream().map(SessionReport.Transition::state).toList();
    }

    @Test
    void aDestinationFlappingAllShowLongKeepsItsFirstAndLastTransitionsOnly() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        for (int i = 0; i < 300; i++) {
            MemoryLink link = goLive(i);
            link.listener.onClosed(link, new IOException("reset " + i));
            onLoop(() -> { });
            advance(Duration.ofSeconds(72)); // past any backoff: 60 s + 20 %
        }
        onLoop(publisher::end);

        SessionReport.Destination d = onlyReport().destinations().get(0);
        assertEquals(100, d.transitions().size(), "the first 20 and the last 80");
        // Each round connecting, live, retrying; then the last reconnect and the stop.
        assertEquals(3 * 300 + 2 - 100, d.transitionsOmitted());
        assertEquals("connecting", d.transitions().get(0).state());
        assertEquals("stopped", d.transitions().get(99).state());
        assertEquals("retrying", d.transitions().get(97).state());
        assertEquals("IOException: reset 299", d.transitions().get(97).error());
        assertEquals(300, d.reconnects());
    }

    @Test
    void aDestinationAddedMidShowAndOneRemovedAreBothInTheReport() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        goLive(0);
        advance(Duration.ofSeconds(2));
        String key = TestKeys.destination();
        DestinationTarget added = new DestinationTarget("d2", "two", "rtmps://live.example.net:443/app/" + key,
                Secret.of(key), "twitch");
        assertTrue(registry.applyDestination(STREAM, added));
        goLive(1);
        advance(Duration.ofSeconds(3));
        assertTrue(registry.removeDestination(STREAM, "d1"));
        advance(Duration.ofSeconds(4));
        onLoop(publisher::end);

        List<SessionReport.Destination> ds = onlyReport().destinations();
        assertEquals(List.of("d1", "d2"), ds.stream().map(SessionReport.Destination::id).toList());
        assertEquals(5_000, ds.get(0).liveMillis(), "removed after 5 s");
        assertEquals(7_000, ds.get(1).liveMillis(), "added at 2 s, live to the end");
        assertEquals("live.example.net", ds.get(1).host());
        assertFalse(ds.toString().contains(key), "no key, and no URL path that carries one");
    }

    @Test
    void endedByTheEncodersStop() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(publisher::end);
        assertEquals(EndReason.STOPPED, onlyReport().endReason());
    }

    @Test
    void endedByALostPublisherWithNoGrace() throws Exception {
        registry(Duration.ZERO);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        assertEquals(EndReason.LOST, onlyReport().endReason());
    }

    @Test
    void endedByTheGraceRunningOut() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        advance(GRACE);
        SessionReport report = onlyReport();
        assertEquals(EndReason.GRACE_EXPIRED, report.endReason());
        assertEquals(report.startedAt().plus(GRACE), report.endedAt());
    }

    @Test
    void aPublisherBackWithinTheGraceIsTheSameSession() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        advance(Duration.ofSeconds(3));
        Publication back = begin();
        onLoop(back::end);
        SessionReport report = onlyReport();
        assertEquals(EndReason.STOPPED, report.endReason());
        assertEquals(1, report.publisherReconnects());
    }

    @Test
    void endedByTheStreamsDeletion() throws Exception {
        registry(GRACE);
        begin();
        assertTrue(registry.disconnect(STREAM));
        assertEquals(EndReason.DELETED, onlyReport().endReason());
    }

    @Test
    void endedByAKeyRotationWhileReconnecting() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        assertTrue(registry.keyRotated(STREAM));
        assertEquals(EndReason.KEY_ROTATED, onlyReport().endReason());
    }

    @Test
    void endedByItsLastDestinationRemovedWhileReconnecting() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        assertTrue(registry.removeDestination(STREAM, "d1"));
        assertEquals(EndReason.NO_DESTINATIONS, onlyReport().endReason());
    }

    @Test
    void endedByTheServersShutdown() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        registry.stopAccepting();
        registry.endPublish(publisher.stream()); // as RelayServer.close ends every live stream
        assertEquals(EndReason.SHUTDOWN, onlyReport().endReason());
    }

    /** Publisher lost, the stream waiting in its grace, then the server stops: that is why it ended. */
    @Test
    void endedByTheServersShutdownWhileWaitingForThePublisher() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        assertEquals(StreamState.RECONNECTING, publisher.stream().state());
        registry.stopAccepting();
        registry.endPublish(publisher.stream()); // as RelayServer.close ends every live stream
        assertEquals(EndReason.SHUTDOWN, onlyReport().endReason());
    }

    /**
     * The grace running out while the server is stopping (after it stopped taking publishers,
     * before it ended this stream): nobody could have come back, so the shutdown ended it.
     */
    @Test
    void theGraceRunningOutDuringTheShutdownIsTheShutdown() throws Exception {
        registry(GRACE);
        Publication publisher = begin();
        onLoop(() -> publisher.lost("connection reset"));
        registry.stopAccepting();
        advance(GRACE);
        assertEquals(EndReason.SHUTDOWN, onlyReport().endReason());
    }
}
