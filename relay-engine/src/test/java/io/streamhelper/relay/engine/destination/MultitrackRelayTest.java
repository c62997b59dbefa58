package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.Captures;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.media.MultitrackTags;
import io.streamhelper.relay.engine.media.TrackSelection;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamTrack;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A multitrack publish (tags captured from ffmpeg 8.1: track 0 legacy AVC/AAC, track 1 as
 * multitrack packets) through the real stream and destination supervisors, with in-memory links:
 * each destination gets one single-track stream of its chosen track, from its own sequence
 * headers, whether it joins late (the snapshot) or is live already.
 */
class MultitrackRelayTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final ManualScheduler clock = new ManualScheduler();
    private final Map<String, MemoryLink> links = new ConcurrentHashMap<>();
    private final List<MemoryLink> all = new CopyOnWriteArrayList<>();
    private final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            MemoryLink link = new MemoryLink(listener);
            links.put(target.id(), link);
            all.add(link);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return DestinationRelayTest.virtualTimers(clock);
        }
    };
    private StreamRegistry registry;
    private LiveStream stream;

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            loop.submit(() -> registry.relays(stream).forEach(DestinationRelay::stop)).get();
        }
        all.forEach(MemoryLink::releaseAll);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void start() throws Exception {
        String ingestKey = TestKeys.ingest();
        List<DestinationTarget> targets = List.of(
                new DestinationTarget("default", "default", "rtmp://example/app", Secret.of(TestKeys.destination()), "custom"),
                new DestinationTarget("vertical", "vertical", "rtmp://example/app", Secret.of(TestKeys.destination()), "custom",
                        new TrackSelection(1, 1)));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "S"), Secret.of(ingestKey), targets)));
        registry = new StreamRegistry(catalog, catalog, connector, StreamRegistry.Settings.defaults());
        stream = loop.submit(() -> registry.beginPublish(ingestKey, loop).stream()).get();
    }

    private void publish(MediaMessage... tags) throws Exception {
        loop.submit(() -> Arrays.stream(tags).forEach(stream::publish)).get();
    }

    private static MediaMessage v(long ts, String capture) {
        return new MediaMessage(MediaKind.VIDEO, ts, Captures.tag(capture));
    }

    private static MediaMessage a(long ts, String capture) {
        return new MediaMessage(MediaKind.AUDIO, ts, Captures.tag(capture));
    }

    /** ffmpeg 8.1's order: metadata, both video headers, both audio headers, then per picture track 0 then track 1. */
    private void publishStartAndOneGop() throws Exception {
        publish(new MediaMessage(MediaKind.METADATA, 0, Unpooled.wrappedBuffer(new byte[] {2, 0, 0})),
                v(0, "video-track0-sequence-start.bin"), v(0, "video-track1-sequence-start.bin"),
                a(0, "audio-track0-sequence-start.bin"), a(0, "audio-track1-sequence-start.bin"),
                a(0, "audio-track1-multichannel-config.bin"),
                v(21, "video-track0-keyframe.bin"), v(21, "video-track1-keyframe.bin"),
                a(21, "audio-track0-frame.bin"), a(21, "audio-track1-frame.bin"),
                v(54, "video-track0-interframe.bin"), v(54, "video-track1-interframe.bin"));
    }

    private void goLive(String id) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> links.containsKey(id));
        MemoryLink link = links.get(id);
        loop.submit(() -> link.listener.onLive(link)).get();
    }

    private static byte[] withHeader(byte[] header, String capture) {
        byte[] bytes = Captures.bytes(capture);
        byte[] payload = Arrays.copyOfRange(bytes, 7, bytes.length); // 0x96/0x95, type byte, FourCC, track id
        byte[] out = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, out, header.length, payload.length);
        return out;
    }

    private static List<String> hex(List<MediaMessage> sent, MediaKind kind) {
        return sent.stream().filter(m -> m.kind() == kind).map(m -> ByteBufUtil.hexDump(m.content())).toList();
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    @Test
    void eachDestinationJoinsLateOnItsOwnTrackAsASingleTrackStream() throws Exception {
        start();
        publishStartAndOneGop();
        goLive("default");
        goLive("vertical");
        publish(v(88, "video-track0-interframe.bin"), v(88, "video-track1-interframe.bin"));

        List<MediaMessage> main = links.get("default").sent;
        List<MediaMessage> vertical = links.get("vertical").sent;
        await().atMost(Duration.ofSeconds(5)).until(() -> hex(main, MediaKind.VIDEO).size() == 4 && hex(vertical, MediaKind.VIDEO).size() == 4);

        assertEquals(List.of(hex(Captures.bytes("video-track0-sequence-start.bin")), hex(Captures.bytes("video-track0-keyframe.bin")),
                hex(Captures.bytes("video-track0-interframe.bin")), hex(Captures.bytes("video-track0-interframe.bin"))),
                hex(main, MediaKind.VIDEO), "track 0 as the publisher sent it, and nothing of track 1");
        assertEquals(List.of(hex(Captures.bytes("audio-track0-sequence-start.bin")), hex(Captures.bytes("audio-track0-frame.bin"))),
                hex(main, MediaKind.AUDIO));

        assertEquals(List.of(hex(withHeader(new byte[] {0x17, 0, 0, 0, 0}, "video-track1-sequence-start.bin")),
                hex(withHeader(new byte[] {0x17, 1, 0, 0, 0}, "video-track1-keyframe.bin")),
                hex(withHeader(new byte[] {0x27, 1, 0, 0, 0}, "video-track1-interframe.bin")),
                hex(withHeader(new byte[] {0x27, 1, 0, 0, 0}, "video-track1-interframe.bin"))),
                hex(vertical, MediaKind.VIDEO), "track 1 in the legacy AVC form, from its own sequence header");
        List<String> verticalAudio = hex(vertical, MediaKind.AUDIO);
        assertEquals(hex(withHeader(new byte[] {(byte) 0xAF, 0}, "audio-track1-sequence-start.bin")), verticalAudio.get(0));
        assertEquals(hex(withHeader(new byte[] {(byte) 0xAF, 1}, "audio-track1-frame.bin")), verticalAudio.get(verticalAudio.size() - 1));
        for (List<MediaMessage> sent : List.of(main, vertical)) {
            assertEquals(MediaKind.METADATA, sent.get(0).kind(), "metadata first");
            assertTrue(sent.stream().noneMatch(m -> MultitrackTags.isMultitrack(m.kind(), m.content())), "no multitrack tag reaches a destination");
        }
        assertEquals(3, stream.videoFrames(), "three pictures of track 0, not six tags");
        assertEquals(4, registry.relays(stream).get(0).framesSent(), "its header and three pictures");
        assertEquals(4, registry.relays(stream).get(1).framesSent());
        assertEquals(0, registry.relays(stream).get(0).framesDropped(), "another track's tags are not drops");
    }

    @Test
    void theStreamListsItsTracksWithTheSizeOfEachRendition() throws Exception {
        start();
        publishStartAndOneGop();
        List<StreamTrack> tracks = stream.tracks();
        assertEquals(List.of("video 0 avc1", "video 1 avc1", "audio 0 mp4a", "audio 1 mp4a"),
                tracks.stream().map(t -> t.kind() + " " + t.trackId() + " " + t.codec()).toList());
        StreamTrack vertical = tracks.get(1);
        assertEquals(180, vertical.width(), "from track 1's SPS");
        assertEquals(320, vertical.height());
        assertTrue(stream.hasTrack(MediaKind.VIDEO, 1));
        assertFalse(stream.hasTrack(MediaKind.VIDEO, 2));
    }
}
