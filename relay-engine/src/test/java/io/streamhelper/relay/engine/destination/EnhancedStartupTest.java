package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a destination of an enhanced-RTMP stream is sent, from the tags ffmpeg 8.1 wrote (the
 * captures in relay-engine's test resources): one connected before the publish, one added later
 * and one that reconnects each get the metadata, the sequence start, the packets that configure
 * it (the video Metadata packet with HDR colour, Opus's MultichannelConfig) and then pictures
 * from a keyframe. Missing the Metadata packet, HDR video shows with the wrong colours; missing
 * the OpusHead, a decoder has no pre-skip or channel mapping.
 */
class EnhancedStartupTest extends RegistryFixture {
    private static final String CAPTURES = "/io/streamhelper/relay/engine/media/ffmpeg-8.1/";
    /** Capture name to bytes, in publishing order. */
    private final Map<String, byte[]> captures = new LinkedHashMap<>();

    private byte[] capture(String name) {
        try (InputStream in = EnhancedStartupTest.class.getResourceAsStream(CAPTURES + name + ".bin")) {
            if (in == null) {
                throw new AssertionError("no capture " + name);
            }
            byte[] bytes = in.readAllBytes();
            captures.put(name, bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private MediaMessage captured(MediaKind kind, long ts, String name) {
        return new MediaMessage(kind, ts, Unpooled.wrappedBuffer(capture(name)));
    }

    /** What a link was sent, by capture name ("onMetaData" for the script tag). */
    private List<String> names(MemoryLink link) {
        return link.sent.stream().map(m -> {
            if (m.kind() == MediaKind.METADATA) {
                return "onMetaData";
            }
            byte[] bytes = ByteBufUtil.getBytes(m.content());
            return captures.entrySet().stream().filter(e -> java.util.Arrays.equals(e.getValue(), bytes))
                    .map(Map.Entry::getKey).findFirst().orElse("?");
        }).toList();
    }

    private MemoryLink live(int index) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> links.size() > index);
        MemoryLink link = links.get(index);
        loop.submit(() -> link.listener.onLive(link)).get();
        return link;
    }

    private void addDestination(StreamRegistry registry, String id) throws Exception {
        DestinationTarget late = new DestinationTarget(id, id, "rtmp://example/app", Secret.of(TestKeys.destination()));
        loop.submit(() -> registry.applyDestination(STREAM, late)).get();
    }

    @Test
    void hevcDestinationsGetTheMetadataPacketBeforeTheirFirstKeyframe() throws Exception {
        StreamRegistry registry = newRegistry(Duration.ZERO);
        Publication publisher = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        MemoryLink early = live(0);
        loop.submit(() -> {
            publisher.publish(new MediaMessage(MediaKind.METADATA, 0, Unpooled.wrappedBuffer(new byte[] {2, 0, 10})));
            publisher.publish(captured(MediaKind.VIDEO, 0, "hevc-aac/video-sequence-start"));
            publisher.publish(captured(MediaKind.AUDIO, 0, "hevc-aac/audio-sequence-start"));
            publisher.publish(captured(MediaKind.VIDEO, 0, "hevc-aac/video-metadata-hdr"));
            publisher.publish(captured(MediaKind.VIDEO, 0, "hevc-aac/video-keyframe"));
            publisher.publish(captured(MediaKind.VIDEO, 34, "hevc-aac/video-coded-frames"));
            publisher.publish(captured(MediaKind.AUDIO, 46, "hevc-aac/audio-frame"));
        }).get();
        assertEquals(List.of("onMetaData", "hevc-aac/video-sequence-start", "hevc-aac/audio-sequence-start",
                "hevc-aac/video-metadata-hdr", "hevc-aac/video-keyframe", "hevc-aac/video-coded-frames", "hevc-aac/audio-frame"),
                names(early), "a destination live from the start is sent every tag, the Metadata packet too");

        addDestination(registry, "late");
        MemoryLink late = live(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !late.sent.isEmpty()); // it joined on the stream's loop
        loop.submit(() -> publisher.publish(captured(MediaKind.VIDEO, 100, "hevc-aac/video-coded-frames-x"))).get();
        List<String> joined = List.of("onMetaData", "hevc-aac/audio-sequence-start", "hevc-aac/video-sequence-start",
                "hevc-aac/video-metadata-hdr", "hevc-aac/video-keyframe", "hevc-aac/video-coded-frames", "hevc-aac/audio-frame",
                "hevc-aac/video-coded-frames-x");
        assertEquals(joined, names(late), "a late joiner gets the headers, the Metadata packet, then the GOP from its keyframe");

        // The first destination's connection drops; its retry joins like a newcomer.
        loop.submit(() -> early.abort(new IOException("connection reset"))).get();
        loop.submit(() -> clock.advance(Duration.ofSeconds(30))).get();
        MemoryLink again = live(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(joined, names(again), "a reconnected destination starts as a late joiner does"));
        loop.submit(publisher::end).get();
    }

    @Test
    void opusDestinationsGetTheOpusHeadAndTheChannelLayout() throws Exception {
        StreamRegistry registry = newRegistry(Duration.ZERO);
        Publication publisher = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        MemoryLink early = live(0);
        loop.submit(() -> {
            publisher.publish(captured(MediaKind.VIDEO, 0, "h264-opus/video-sequence-start"));
            publisher.publish(captured(MediaKind.AUDIO, 0, "h264-opus/audio-sequence-start"));
            publisher.publish(captured(MediaKind.AUDIO, 0, "h264-opus/audio-multichannel-config"));
            publisher.publish(captured(MediaKind.AUDIO, 0, "h264-opus/audio-frame"));
            publisher.publish(captured(MediaKind.VIDEO, 7, "h264-opus/video-keyframe"));
            publisher.publish(captured(MediaKind.VIDEO, 40, "h264-opus/video-inter-frame"));
        }).get();
        assertEquals(List.of("h264-opus/video-sequence-start", "h264-opus/audio-sequence-start", "h264-opus/audio-multichannel-config",
                "h264-opus/audio-frame", "h264-opus/video-keyframe", "h264-opus/video-inter-frame"), names(early));

        addDestination(registry, "late");
        MemoryLink late = live(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of("h264-opus/audio-sequence-start",
                "h264-opus/audio-multichannel-config", "h264-opus/video-sequence-start", "h264-opus/video-keyframe",
                "h264-opus/video-inter-frame"), names(late), "the OpusHead is not replaced by the MultichannelConfig that follows it"));
        loop.submit(publisher::end).get();
    }
}
