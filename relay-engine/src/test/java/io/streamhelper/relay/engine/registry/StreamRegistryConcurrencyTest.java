package io.streamhelper.relay.engine.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streamhelper.relay.engine.stream.LiveStream;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Changes to one live stream from several threads at once, as they come in production: API
 * threads (a destination edited, a stream deleted), the catalog thread letting a publisher in, and
 * the publisher's own event loop. The stream's executor is a real event loop here, never the
 * immediate executor, which would hide every race.
 */
class StreamRegistryConcurrencyTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final String ingestKey = TestKeys.ingest();
    /** Whether the stream still exists in the catalog: a delete sets it before it tells the registry. */
    private final AtomicBoolean deleted = new AtomicBoolean();
    private final PublishAuthorizer authorizer = key -> key.equals(ingestKey) && !deleted.get()
            ? Optional.of(new StreamGrant("s", "S")) : Optional.empty();
    private final List<CountingLink> links = new CopyOnWriteArrayList<>();
    private final DestinationConnector connector = (target, listener) -> {
        CountingLink link = new CountingLink(target);
        links.add(link);
        return link;
    };

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * The same destination applied from four threads at once (say, an API edit and the reconcile
     * of a publish): however they interleave, one relay for it remains, with one open connection.
     * Before the changes were serialized on the stream's loop, two threads could both remove the
     * old relay and both add their own: two relays publishing under one key. Racy by nature, so
     * it runs many rounds; on the unserialized registry it failed within the first few.
     */
    @Test
    void oneDestinationAppliedFromManyThreadsAtOnceLeavesOneRelayAndOneConnection() throws Exception {
        DestinationTarget target = new DestinationTarget("d", "d", "rtmp://example.invalid/app",
                Secret.of(TestKeys.destination()));
        StreamRegistry registry = new StreamRegistry(authorizer, streamId -> List.of(target), connector, StreamRegistry.Settings.defaults());
        LiveStream stream = registry.beginPublish(ingestKey, loop).stream();
        int writers = 4;
        CyclicBarrier start = new CyclicBarrier(writers);
        for (int round = 0; round < 300; round++) {
            List<Future<Boolean>> applied = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                applied.add(threads.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    return registry.applyDestination("s", target);
                }));
            }
            for (Future<Boolean> f : applied) {
                assertTrue(f.get(10, TimeUnit.SECONDS), "the stream was live");
            }
            loop.submit(() -> { }).get(); // whatever the appliers queued on the loop has run
            long relays = registry.relays(stream).stream().filter(r -> r.target().id().equals("d")).count();
            long open = links.stream().filter(l -> !l.closed).count();
            if (relays != 1 || open != 1) {
                fail("round " + round + ": " + relays + " relays and " + open + " open connections for one destination");
            }
        }
        registry.endPublish(stream);
        loop.submit(() -> { }).get();
        assertEquals(0, links.stream().filter(l -> !l.closed).count(), "ending the stream closed the last one");
    }

    /**
     * The stream is deleted (API thread) while its key is being checked: after the key was read,
     * before the stream is registered; the delete finds nothing live to disconnect. A hook in the
     * destination read, which falls in exactly that window, makes the timing certain. The
     * publisher must be refused, not let into a stream that no longer exists.
     */
    @Test
    void aStreamDeletedWhileItsPublisherIsLetInIsRefused() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        DestinationDirectory directory = streamId -> {
            if (reads.getAndIncrement() == 0) {
                deleteFromAnotherThread(registryRef.get());
            }
            return List.of();
        };
        StreamRegistry registry = new StreamRegistry(authorizer, directory, connector, StreamRegistry.Settings.defaults());
        registryRef.set(registry);
        assertPublisherEndsUp(registry);
    }

    /**
     * The stream is deleted after it was registered, before the ingest has said how to disconnect
     * its publisher (it can only once the publish is answered): the registry's second destination
     * read falls in that window. The delete must still end with the publisher disconnected.
     */
    @Test
    void aStreamDeletedBeforeTheIngestGaveItsCloserStillDisconnectsThePublisher() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        DestinationDirectory directory = streamId -> {
            if (reads.getAndIncrement() == 1) {
                deleteFromAnotherThread(registryRef.get());
            }
            return List.of();
        };
        StreamRegistry registry = new StreamRegistry(authorizer, directory, connector, StreamRegistry.Settings.defaults());
        registryRef.set(registry);
        assertPublisherEndsUp(registry);
    }

    /**
     * The narrowest window, made certain: the publish was answered (beginPublish returned), the
     * stream is deleted, and only then does the ingest, back on its loop, give its closer. The
     * request was remembered, so the closer runs as soon as it is given.
     */
    @Test
    void aDeleteBetweenThePublishAnswerAndTheIngestsCloserStillDisconnects() throws Exception {
        StreamRegistry registry = new StreamRegistry(authorizer, streamId -> List.of(), connector, StreamRegistry.Settings.defaults());
        LiveStream stream = threads.submit(() -> registry.beginPublish(ingestKey, loop).stream()).get(10, TimeUnit.SECONDS);
        deleteFromAnotherThread(registry);
        AtomicBoolean closerRan = new AtomicBoolean();
        loop.submit(() -> stream.onDisconnectRequest(() -> closerRan.set(true))).get();
        assertTrue(closerRan.get(), "the closer given after the delete ran at once");
        assertTrue(registry.liveStream("s").isEmpty());
        loop.submit(() -> { }).get();
        assertTrue(stream.isEnded());
    }

    /**
     * No hook: a publish and a delete on real threads, the delete landing anywhere from before
     * the key is read to after the ingest has its closer. Every round must end with nothing live
     * and the publisher refused or disconnected.
     */
    @Test
    void aDeleteRacingAPublishAtAnyMomentLeavesNoPublisherStreaming() throws Exception {
        StreamRegistry registry = new StreamRegistry(authorizer, streamId -> List.of(), connector, StreamRegistry.Settings.defaults());
        CyclicBarrier start = new CyclicBarrier(2);
        for (int round = 0; round < 300; round++) {
            deleted.set(false);
            AtomicBoolean closerRan = new AtomicBoolean();
            int spin = ThreadLocalRandom.current().nextInt(20_000);
            Future<Boolean> refused = threads.submit(() -> {
                start.await(5, TimeUnit.SECONDS);
                try {
                    LiveStream stream = registry.beginPublish(ingestKey, loop).stream();
                    // What the ingest does once its publish is answered, on the publisher's loop.
                    loop.execute(() -> stream.onDisconnectRequest(() -> closerRan.set(true)));
                    return false;
                } catch (PublishRejectedException e) {
                    return true;
                }
            });
            Future<?> delete = threads.submit(() -> {
                start.await(5, TimeUnit.SECONDS);
                for (int i = 0; i < spin; i++) {
                    Thread.onSpinWait();
                }
                deleted.set(true);
                return registry.disconnect("s");
            });
            delete.get(10, TimeUnit.SECONDS);
            boolean wasRefused = refused.get(10, TimeUnit.SECONDS);
            int r = round;
            loop.submit(() -> { }).get();
            assertTrue(registry.liveStream("s").isEmpty(), "round " + r + ": the deleted stream is not live");
            assertTrue(wasRefused || closerRan.get(), "round " + r + ": the publisher was neither refused nor disconnected");
        }
    }

    private final AtomicReference<StreamRegistry> registryRef = new AtomicReference<>();

    /** What StreamService.delete does, on a thread of its own (an API thread), waited for. */
    private void deleteFromAnotherThread(StreamRegistry registry) {
        try {
            threads.submit(() -> {
                deleted.set(true);
                return registry.disconnect("s");
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Publishes as the ingest does (catalog thread, then the closer given on the loop) and checks the outcome. */
    private void assertPublisherEndsUp(StreamRegistry registry) throws Exception {
        AtomicBoolean closerRan = new AtomicBoolean();
        boolean refused;
        try {
            LiveStream stream = threads.submit(() -> registry.beginPublish(ingestKey, loop).stream()).get(10, TimeUnit.SECONDS);
            loop.submit(() -> stream.onDisconnectRequest(() -> closerRan.set(true))).get();
            refused = false;
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof PublishRejectedException, String.valueOf(e.getCause()));
            refused = true;
        }
        loop.submit(() -> { }).get();
        assertTrue(registry.liveStream("s").isEmpty(), "the deleted stream is not live");
        assertTrue(refused || closerRan.get(), "the publisher was neither refused nor disconnected");
    }

    /** A link that never goes live: these tests are about which relays and connections exist. */
    private static final class CountingLink implements DestinationLink {
        final DestinationTarget target;
        volatile boolean closed;

        CountingLink(DestinationTarget target) {
            this.target = target;
        }

        @Override
        public void send(MediaMessage message) {
            message.release();
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long bytesSent() {
            return 0;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void abort(Throwable cause) {
            closed = true;
        }
    }
}
