package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A publisher that continues a stream sends its metadata and sequence headers again, in the
 * middle of each destination's connection: they must be stamped no earlier than what that
 * destination was already sent, or its RTMP timeline goes back by the whole broadcast so far.
 */
class HeaderTimestampTest extends RegistryFixture {
    @Test
    void aContinuingPublishersHeadersNeverGoBackInTimeAtTheDestination() throws Exception {
        StreamRegistry registry = newRegistry(Duration.ofSeconds(30));

        Publication first = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> !links.isEmpty());
        MemoryLink link = links.get(0);
        loop.submit(() -> link.listener.onLive(link)).get();
        loop.submit(() -> {
            first.publish(tag(MediaKind.METADATA, 0, 2));
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, 1));
            for (int i = 0; i <= 150; i++) { // five seconds of video
                first.publish(tag(MediaKind.VIDEO, i * 33L, i % 30 == 0 ? 0x17 : 0x27, 1, 0, 0, 0));
            }
        }).get();
        loop.submit(() -> first.lost("connection closed")).get();
        loop.submit(() -> clock.advance(Duration.ofSeconds(3))).get();

        Publication back = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        loop.submit(() -> {
            back.publish(tag(MediaKind.METADATA, 0, 2));
            back.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, 2)); // new encoder settings
            back.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
            back.publish(tag(MediaKind.VIDEO, 33, 0x27, 1, 0, 0, 0));
        }).get();

        List<Long> times = link.sent.stream().map(MediaMessage::timestamp).toList();
        assertEquals(2 + 151 + 4, times.size());
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) >= times.get(i - 1), "tag " + i + " goes back in time: " + times.subList(Math.max(0, i - 3), i + 1));
        }
        assertTrue(times.get(times.size() - 2) >= 4950 + 3000, "the new keyframe comes the gap after the last frame");
        loop.submit(back::end).get();
    }
}
