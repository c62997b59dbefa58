package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A publisher that continues a stream from another event loop than the stream's hands its tags
 * over one task each; its stop (FCUnpublish, deleteStream) must come after them, as it does on
 * the wire, so a destination gets every tag the streamer sent before pressing Stop. The stream's
 * loop is held busy while the other loop publishes and stops, which is what a loaded server does.
 */
class CrossLoopPublicationTest extends RegistryFixture {
    @Test
    void theLastTagsBeforeAStopFromAnotherLoopReachTheDestination() throws Exception {
        StreamRegistry registry = newRegistry(Duration.ofSeconds(30));

        Publication first = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        loop.submit(() -> {
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, 1));
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
        }).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> !links.isEmpty());
        MemoryLink link = links.get(0);
        loop.submit(() -> link.listener.onLive(link)).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> link.sent.size() == 2);
        loop.submit(() -> first.lost("connection closed")).get();

        Publication second = registry.beginPublish(ingestKey, otherLoop, null);
        assertSame(loop, second.stream().executor());
        CountDownLatch busy = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                busy.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        otherLoop.submit(() -> {
            second.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
            for (int i = 1; i <= 10; i++) {
                second.publish(tag(MediaKind.VIDEO, i * 33L, 0x27, 1, 0, 0, 0));
            }
            second.end(); // FCUnpublish, read right after the last frame
        }).get();
        busy.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> link.closed);
        assertEquals(StreamState.ENDED, second.stream().state());
        assertEquals(2 + 11, link.sent.size(), "every frame sent before the stop, then the destination's stop");
        assertTrue(registry.liveStreams().isEmpty());
    }
}
