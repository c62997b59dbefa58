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
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-destination codec rules in the supervisor, with in-memory links (the real client and real
 * platforms' stand-ins are in relay-app's HevcCodecRulesTest): a destination that cannot take the
 * stream's codec is never connected, shows why, schedules nothing, and is decided again when a
 * continuing publisher changes codec; one that can connects once the codecs are known and
 * announces the enhanced ones. Timers in virtual time.
 */
class CodecRulesRelayTest {
    private static final CodecRules TWITCH = new CodecRules("Twitch", List.of("avc1"), List.of("mp4a"));

    private final EventLoop loop = new DefaultEventLoop();
    private final ManualScheduler clock = new ManualScheduler();
    /** Every link opened, by destination id, with the fourCcList it was opened with. */
    private final Map<String, List<MemoryLink>> links = new ConcurrentHashMap<>();
    private final Map<String, List<List<String>>> announced = new ConcurrentHashMap<>();
    private final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            throw new AssertionError("the relay must say what it announces");
        }

        @Override
        public DestinationLink connect(DestinationTarget target, EventExecutor sender, List<String> fourCcList,
                DestinationLink.Listener listener) {
            MemoryLink link = new MemoryLink(listener);
            links.computeIfAbsent(target.id(), id -> new CopyOnWriteArrayList<>()).add(link);
            announced.computeIfAbsent(target.id(), id -> new CopyOnWriteArrayList<>()).add(fourCcList);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return DestinationRelayTest.virtualTimers(clock);
        }
    };
    private final String ingestKey = TestKeys.ingest();
    private StreamRegistry registry;
    private LiveStream stream;

    @AfterEach
    void stop() throws Exception {
        if (stream != null) {
            loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        }
        links.values().forEach(list -> list.forEach(MemoryLink::releaseAll));
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void start(DestinationTarget... targets) throws Exception {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "S"), Secret.of(ingestKey), List.of(targets))));
        registry = new StreamRegistry(catalog, catalog, connector, StreamRegistry.Settings.defaults());
        stream = loop.submit(() -> registry.beginPublish(ingestKey, loop).stream()).get();
    }

    private static DestinationTarget twitch() {
        return new DestinationTarget("tw", "Twitch", "rtmp://twitch.example/app", Secret.of(TestKeys.destination()),
                "twitch", TWITCH);
    }

    private static DestinationTarget custom(String id) {
        return new DestinationTarget(id, "mine", "rtmp://custom.example/app", Secret.of(TestKeys.destination()), "custom");
    }

    private DestinationRelay relay(String id) {
        return registry.relays(stream).stream().filter(r -> r.target().id().equals(id)).findFirst().orElseThrow();
    }

    private List<MemoryLink> linksOf(String id) {
        return links.getOrDefault(id, List.of());
    }

    private static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, ts, b);
    }

    /** An enhanced-RTMP video tag: the first byte, then the FourCC, then a stand-in payload. */
    private static MediaMessage ex(long ts, int first, String fourCc) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(first).writeCharSequence(fourCc, StandardCharsets.US_ASCII);
        b.writeBytes(new byte[] {0, 0, 0, 1, 2});
        return new MediaMessage(MediaKind.VIDEO, ts, b);
    }

    private static MediaMessage aacHeader() {
        return tag(MediaKind.AUDIO, 0, 0xAF, 0, 0x12, 0x10);
    }

    private static MediaMessage avcHeader() {
        return tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0);
    }

    private static MediaMessage avcKey(long ts) {
        return tag(MediaKind.VIDEO, ts, 0x17, 1, 0, 0, 0);
    }

    private static MediaMessage hevcHeader() {
        return ex(0, 0x90, "hvc1"); // ex-header, keyframe, SequenceStart
    }

    private static MediaMessage hevcKey(long ts) {
        return ex(ts, 0x91, "hvc1"); // ex-header, keyframe, CodedFrames
    }

    private void publish(MediaMessage... tags) throws Exception {
        loop.submit(() -> {
            for (MediaMessage t : tags) {
                stream.publish(t);
            }
        }).get();
    }

    private void goLive(String id, int index) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> linksOf(id).size() > index);
        MemoryLink link = linksOf(id).get(index);
        link.listener.onLive(link);
        loop.submit(() -> { }).get();
    }

    @Test
    void aTwitchDestinationIsNeverConnectedForHevcWhileACustomOneOfTheSameStreamGoesLive() throws Exception {
        start(twitch(), custom("mine"));
        await().atMost(Duration.ofSeconds(5)).until(() -> linksOf("mine").size() == 1);
        assertEquals(List.of(List.of()), announced.get("mine"), "connected at once, before the codecs were known");
        assertEquals(DestinationState.IDLE, relay("tw").state(), "waits for the codecs");
        assertTrue(linksOf("tw").isEmpty());

        publish(tag(MediaKind.METADATA, 0, 2), aacHeader(), hevcHeader());
        assertEquals(DestinationState.IDLE, relay("tw").state(), "headers alone do not settle the codecs yet");
        publish(hevcKey(0));
        goLive("mine", 0);

        assertEquals(DestinationState.INCOMPATIBLE, relay("tw").state());
        assertEquals("Twitch accepts H.264 only; this stream is HEVC", relay("tw").lastError());
        assertTrue(linksOf("tw").isEmpty(), "never connected: the platform never saw a publish");
        assertFalse(relay("tw").hasOpenLink());
        assertEquals(DestinationState.LIVE, relay("mine").state());
        clock.advance(Duration.ofMinutes(30));
        loop.submit(() -> { }).get();
        assertTrue(linksOf("tw").isEmpty(), "no retry loop: nothing is scheduled for it");
        assertEquals(DestinationState.INCOMPATIBLE, relay("tw").state());

        SessionReport report = loop.submit(() -> stream.session().finish(EndReason.STOPPED, 0, 0, 0)).get();
        SessionReport.Destination tw = report.destinations().stream().filter(d -> d.id().equals("tw")).findFirst().orElseThrow();
        assertEquals("incompatible", tw.transitions().get(0).state());
        assertEquals("Twitch accepts H.264 only; this stream is HEVC", tw.transitions().get(0).error());
    }

    @Test
    void aTwitchDestinationConnectsForH264OnceTheFirstFrameArrivesAndAnnouncesNothing() throws Exception {
        start(twitch());
        publish(tag(MediaKind.METADATA, 0, 2), aacHeader(), avcHeader());
        assertTrue(linksOf("tw").isEmpty());
        publish(avcKey(0));
        goLive("tw", 0);
        assertEquals(DestinationState.LIVE, relay("tw").state());
        assertEquals(List.of(List.of()), announced.get("tw"), "legacy H.264 and AAC: no fourCcList");
        await().until(() -> linksOf("tw").get(0).sent.size() == 4); // metadata, both headers, the keyframe
    }

    @Test
    void opusAudioIsRefusedByAPresetThatTakesAacOnly() throws Exception {
        start(twitch());
        ByteBuf opus = Unpooled.buffer();
        opus.writeByte(0x90).writeCharSequence("Opus", StandardCharsets.US_ASCII); // ex-header audio, SequenceStart
        opus.writeBytes(new byte[] {1, 2});
        publish(new MediaMessage(MediaKind.AUDIO, 0, opus), avcHeader(), avcKey(0));
        assertEquals(DestinationState.INCOMPATIBLE, relay("tw").state());
        assertEquals("Twitch accepts AAC audio only; this stream's audio is Opus", relay("tw").lastError());
        assertTrue(linksOf("tw").isEmpty());
    }

    /**
     * A continuing publisher in another codec: the live H.264 link is closed (unpublished) before
     * the HEVC sequence start reaches it, and a later H.264 publisher gets it connected again.
     */
    @Test
    void aPublisherThatChangesCodecGetsTheDecisionMadeAgain() throws Exception {
        start(twitch());
        publish(aacHeader(), avcHeader(), avcKey(0));
        goLive("tw", 0);
        MemoryLink first = linksOf("tw").get(0);
        await().until(() -> first.sent.size() == 3);

        loop.submit(() -> stream.publisherResumed("127.0.0.1:2")).get();
        publish(hevcHeader(), hevcKey(40));
        assertEquals(DestinationState.INCOMPATIBLE, relay("tw").state());
        assertEquals("Twitch accepts H.264 only; this stream is HEVC", relay("tw").lastError());
        assertTrue(first.closed, "unpublished");
        assertEquals(3, first.sent.size(), "the HEVC sequence start never reached it");
        assertFalse(relay("tw").hasOpenLink());

        loop.submit(() -> stream.publisherResumed("127.0.0.1:3")).get();
        publish(avcHeader(), avcKey(80));
        assertEquals(DestinationState.CONNECTING, relay("tw").state());
        goLive("tw", 1);
        assertEquals(DestinationState.LIVE, relay("tw").state());
        assertEquals(0, relay("tw").reconnects(), "a codec decision is not a reconnect after trouble");
    }

    @Test
    void aDestinationAddedOnceTheCodecsAreKnownAnnouncesTheEnhancedOne() throws Exception {
        start(custom("first"));
        publish(aacHeader(), hevcHeader(), hevcKey(0));
        assertTrue(registry.applyDestination("s1", custom("late")));
        await().atMost(Duration.ofSeconds(5)).until(() -> linksOf("late").size() == 1);
        assertEquals(List.of(List.of("hvc1")), announced.get("late"));
    }

    /**
     * An audio-only stream has no video frame to settle the codecs: a second of audio frames (media
     * time) with no video tag does, and a destination with rules then connects.
     */
    @Test
    void anAudioOnlyStreamSettlesAfterASecondOfAudio() throws Exception {
        start(twitch());
        publish(aacHeader(), tag(MediaKind.AUDIO, 0, 0xAF, 1, 0x21), tag(MediaKind.AUDIO, 980, 0xAF, 1, 0x21));
        assertTrue(linksOf("tw").isEmpty(), "not yet: video may still come");
        publish(tag(MediaKind.AUDIO, 1000, 0xAF, 1, 0x21));
        await().atMost(Duration.ofSeconds(5)).until(() -> linksOf("tw").size() == 1);
        assertEquals(DestinationState.CONNECTING, relay("tw").state());
    }

    /** Video whose header comes late does not settle on audio: the first picture decides. */
    @Test
    void aVideoHeaderSeenKeepsTheDecisionForTheFirstPicture() throws Exception {
        start(twitch());
        publish(aacHeader(), hevcHeader(), tag(MediaKind.AUDIO, 0, 0xAF, 1, 0x21), tag(MediaKind.AUDIO, 1500, 0xAF, 1, 0x21));
        assertEquals(DestinationState.IDLE, relay("tw").state());
        publish(hevcKey(1600));
        assertEquals(DestinationState.INCOMPATIBLE, relay("tw").state());
        assertTrue(linksOf("tw").isEmpty());
    }
}
