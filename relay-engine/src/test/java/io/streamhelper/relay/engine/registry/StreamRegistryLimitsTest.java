package io.streamhelper.relay.engine.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.stream.LiveStream;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StreamRegistryLimitsTest {

    @Test
    void publishersBeyondTheLimitAreRefusedUntilAPlaceIsFree() throws Exception {
        List<String> keys = List.of(TestKeys.ingest(), TestKeys.ingest(), TestKeys.ingest());
        List<StaticStreamCatalog.Entry> entries = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            entries.add(new StaticStreamCatalog.Entry(new StreamGrant("s" + i, "S" + i), Secret.of(keys.get(i)),
                    List.<DestinationTarget>of()));
        }
        StaticStreamCatalog catalog = new StaticStreamCatalog(entries);
        StreamRegistry registry = new StreamRegistry(catalog, catalog, (t, l) -> {
            throw new AssertionError("no destinations");
        }, StreamRegistry.Settings.defaults().withMaxLiveStreams(2));

        LiveStream first = registry.beginPublish(keys.get(0), ImmediateEventExecutor.INSTANCE).stream();
        registry.beginPublish(keys.get(1), ImmediateEventExecutor.INSTANCE).stream();
        PublishRejectedException refused = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish(keys.get(2), ImmediateEventExecutor.INSTANCE).stream());
        assertEquals(PublishRejectedException.Reason.TOO_MANY_PUBLISHERS, refused.reason());
        assertEquals(1, registry.counters().publishRejections(PublishRejectedException.Reason.TOO_MANY_PUBLISHERS));
        PublishRejectedException stranger = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish("not-a-key", ImmediateEventExecutor.INSTANCE).stream());
        assertEquals(PublishRejectedException.Reason.UNKNOWN_KEY, stranger.reason(), "a stranger learns nothing about load");

        registry.endPublish(first);
        assertTrue(registry.beginPublish(keys.get(2), ImmediateEventExecutor.INSTANCE).stream().id().equals("s2"), "a place came free");
        registry.liveStreams().forEach(registry::endPublish);
    }

    /**
     * Once a stream is registered, a failure before it is handed to the publisher (here the
     * catalog's second read of its destinations, as when the database goes away) must end it:
     * before, it stayed live with nobody publishing, and every later publish of the key was
     * refused as already live.
     */
    @Test
    void aFailureWhileGoingLiveLeavesNoStreamBehind() throws Exception {
        String key = TestKeys.ingest();
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s", "S"), Secret.of(key), List.<DestinationTarget>of())));
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean failSecondRead = new AtomicBoolean(true);
        StreamRegistry registry = new StreamRegistry(catalog, streamId -> {
            if (reads.incrementAndGet() == 2 && failSecondRead.get()) {
                throw new IllegalStateException("database unreachable");
            }
            return catalog.destinationsOf(streamId);
        }, (t, l) -> {
            throw new AssertionError("no destinations");
        }, StreamRegistry.Settings.defaults());

        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream());
        assertEquals("database unreachable", failed.getMessage());
        assertTrue(registry.liveStreams().isEmpty(), "the stream that could not go live is not left live");

        failSecondRead.set(false);
        LiveStream again = registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
        assertEquals("s", again.id(), "the key can publish again");
        registry.endPublish(again);
    }

    /** The registry's settings are checked where they are made, before any registry runs with them. */
    @Test
    void settingsRefuseNoLiveStreamsAndMissingParts() {
        StreamRegistry.Settings defaults = StreamRegistry.Settings.defaults();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> defaults.withMaxLiveStreams(0));
        assertEquals("at least one live stream must be allowed", none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> defaults.withGopCacheBytes(-1));
        assertThrows(NullPointerException.class, () -> defaults.withAudioHold(null));
        assertThrows(NullPointerException.class, () -> defaults.withCatalogReads(null));
        assertThrows(NullPointerException.class, () -> defaults.withListener(null));
        assertEquals(1, defaults.withMaxLiveStreams(1).maxLiveStreams());
    }
}
