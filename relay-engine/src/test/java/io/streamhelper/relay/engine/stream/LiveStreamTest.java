package io.streamhelper.relay.engine.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.secret.Secret;
import java.time.Duration;
import io.streamhelper.relay.testkit.TestKeys;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveStreamTest {

    /** Keeps what it receives, so the test can look at it and release it. */
    private static final class CollectingSink implements MediaSink {
        final List<MediaMessage> joined = new ArrayList<>();
        final List<MediaMessage> live = new ArrayList<>();

        @Override
        public void join(StreamSnapshot snapshot) {
            joined.addAll(snapshot.drain());
        }

        @Override
        public void deliver(MediaMessage message) {
            live.add(message);
        }

        void releaseAll() {
            joined.forEach(MediaMessage::release);
            live.forEach(MediaMessage::release);
        }
    }

    private static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, ts, b);
    }

    private static LiveStream stream() {
        return new LiveStream(new StreamGrant("s1", "Stream"), ImmediateEventExecutor.INSTANCE, 1 << 20);
    }

    @Test
    void lateJoinerGetsHeadersThenTheCurrentGopThenLiveTagsSharingOneBuffer() {
        LiveStream stream = stream();
        MediaMessage metadata = tag(MediaKind.METADATA, 0, 2, 0, 10);
        MediaMessage audioHeader = tag(MediaKind.AUDIO, 0, 0xAF, 0, 0x12, 0x10);
        MediaMessage videoHeader = tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0);
        MediaMessage oldKey = tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0);
        MediaMessage key = tag(MediaKind.VIDEO, 2000, 0x17, 1, 0, 0, 0);
        MediaMessage inter = tag(MediaKind.VIDEO, 2033, 0x27, 1, 0, 0, 0);
        MediaMessage audio = tag(MediaKind.AUDIO, 2040, 0xAF, 1, 0x21);
        List<MediaMessage> originals = List.of(metadata, audioHeader, videoHeader, oldKey, key, inter, audio);
        for (MediaMessage m : List.of(metadata, audioHeader, videoHeader, oldKey, key, inter)) {
            stream.publish(m);
        }

        CollectingSink sink = new CollectingSink();
        stream.attach(sink);
        stream.publish(audio);

        assertEquals(List.of(MediaKind.METADATA, MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.VIDEO, MediaKind.VIDEO),
                sink.joined.stream().map(MediaMessage::kind).toList());
        assertEquals(2000, sink.joined.get(3).timestamp(), "the GOP starts at the newest keyframe");
        assertEquals(2033, sink.joined.get(4).timestamp());
        assertEquals(1, sink.live.size());
        assertSame(audio.content().unwrap() == null ? audio.content() : audio.content().unwrap(),
                sink.live.get(0).content().unwrap(), "the sink shares the publisher's buffer, no copy");

        sink.releaseAll();
        stream.end();
        for (int i = 0; i < originals.size(); i++) {
            assertEquals(0, originals.get(i).refCnt(), "tag " + i + " released exactly once");
        }
    }

    @Test
    void everySinkGetsEveryTagAndTheOriginalIsReleasedOnce() {
        LiveStream stream = stream();
        CollectingSink a = new CollectingSink();
        CollectingSink b = new CollectingSink();
        stream.attach(a);
        stream.attach(b);
        MediaMessage frame = tag(MediaKind.VIDEO, 10, 0x17, 1, 0, 0, 0);
        stream.publish(frame);
        assertEquals(1, a.live.size());
        assertEquals(1, b.live.size());
        assertEquals(3, frame.refCnt(), "two sinks + the GOP cache hold it; the publisher's reference is gone");
        a.releaseAll();
        b.releaseAll();
        stream.end();
        assertEquals(0, frame.refCnt());
        assertThrows(io.netty.util.IllegalReferenceCountException.class, frame::release);
    }

    @Test
    void detachedSinkGetsNothingMore() {
        LiveStream stream = stream();
        CollectingSink sink = new CollectingSink();
        stream.attach(sink);
        stream.detach(sink);
        MediaMessage frame = tag(MediaKind.AUDIO, 10, 0xAF, 1);
        stream.publish(frame);
        assertTrue(sink.live.isEmpty());
        stream.end();
        assertEquals(0, frame.refCnt());
    }

    @Test
    void registryRefusesUnknownKeysAndASecondPublisher() throws Exception {
        String key = TestKeys.ingest();
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.of())));
        DestinationDirectory directory = catalog;
        StreamRegistry registry = new StreamRegistry(catalog, directory, (target, listener) -> {
            throw new AssertionError("no destinations configured");
        }, StreamRegistry.Settings.defaults());
        PublishRejectedException unknown = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish("nope", ImmediateEventExecutor.INSTANCE).stream());
        assertEquals(PublishRejectedException.Reason.UNKNOWN_KEY, unknown.reason());

        LiveStream first = registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
        PublishRejectedException twice = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream());
        assertEquals(PublishRejectedException.Reason.ALREADY_LIVE, twice.reason());
        assertEquals(List.of(first), List.copyOf(registry.liveStreams()), "the first publisher is untouched");

        registry.endPublish(first);
        assertTrue(registry.liveStreams().isEmpty());
        LiveStream again = registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
        registry.endPublish(again);
    }

    @Test
    void measuredFrameRateCountsPicturesNotHeadersOverAtLeastOneSecond() {
        LiveStream stream = stream();
        stream.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0)); // sequence header: not a picture
        for (int i = 0; i < 30; i++) {
            stream.publish(tag(MediaKind.VIDEO, i * 33L, i == 0 ? 0x17 : 0x27, 1, 0, 0, 0));
        }
        assertEquals(30, stream.videoFrames());
        // The first sample is taken once a second has passed since the stream began: 30 frames in
        // a little over a second.
        await().atMost(Duration.ofSeconds(5)).until(() -> stream.measuredFrameRate() > 0);
        double fps = stream.measuredFrameRate();
        assertTrue(fps > 10 && fps <= 30, "fps " + fps);
        stream.end();
    }

    @Test
    void keyframeIntervalIsTheMediaTimeBetweenTheLastTwoKeyframes() {
        LiveStream stream = stream();
        stream.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0)); // sequence header: not a keyframe
        stream.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
        assertEquals(-1, stream.keyframeIntervalMillis(), "one keyframe says nothing yet");
        stream.publish(tag(MediaKind.VIDEO, 4000, 0x27, 1, 0, 0, 0));
        stream.publish(tag(MediaKind.VIDEO, 8000, 0x17, 1, 0, 0, 0));
        assertEquals(8000, stream.keyframeIntervalMillis());
        stream.publish(tag(MediaKind.VIDEO, 10000, 0x17, 1, 0, 0, 0));
        assertEquals(2000, stream.keyframeIntervalMillis(), "the latest interval, not the first");
        stream.end();
    }
}
