package io.streamhelper.relay.engine.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A takeover is for a publisher that has gone silent: the silence counted must be the current
 * publisher's own, never the gap before it got the stream. A publisher that just came back after
 * a long gap, and has not yet sent its first tag, is not silent: another publish with the key
 * right then is refused, not let in to close the connection that just came back.
 */
class TakeoverSilenceTest extends RegistryFixture {
    @Test
    void aPublisherJustBackFromALongGapIsNotTakenOverBeforeItCouldSendAnything() throws Exception {
        StreamRegistry registry = newRegistry(Duration.ofSeconds(30));

        Publication first = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        loop.submit(() -> {
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0, 1));
            first.publish(tag(MediaKind.VIDEO, 0, 0x17, 1, 0, 0, 0));
        }).get();
        loop.submit(() -> first.lost("connection closed")).get();
        loop.submit(() -> clock.advance(Duration.ofSeconds(10))).get(); // the encoder's reconnect takes 10 s

        Publication back = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        AtomicBoolean backClosed = new AtomicBoolean();
        back.onDisconnectRequest(() -> backClosed.set(true));
        loop.submit(() -> clock.advance(Duration.ofMillis(100))).get(); // its first tag is on its way

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get());
        assertEquals(PublishRejectedException.Reason.ALREADY_LIVE,
                assertInstanceOf(PublishRejectedException.class, refused.getCause()).reason());
        assertFalse(backClosed.get(), "the publisher that just came back keeps the stream");
        assertTrue(back.isCurrent());

        // Silent for the takeover time on its own account, it can be taken over as before.
        loop.submit(() -> clock.advance(StreamRegistry.Settings.DEFAULT_TAKEOVER_AFTER)).get();
        Publication next = loop.submit(() -> registry.beginPublish(ingestKey, loop, null)).get();
        assertTrue(backClosed.get());
        assertTrue(next.isCurrent());
        loop.submit(next::end).get();
    }
}
