package io.streamhelper.relay.engine.destination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three destinations on one real event loop; the middle one's link throws when it is sent a tag
 * (a bug in a transport, an encoder that cannot encode it). Only that destination may notice: it
 * is dropped and reconnected with backoff like after a network error, the other two get every
 * tag, the publisher is not disconnected, and every buffer is released (paranoid leak detection,
 * LeakCheckExtension, plus the reference counts checked here).
 */
class FailingSinkIsolationTest {
    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final List<String> keys = List.of(TestKeys.destination(), TestKeys.destination(), TestKeys.destination());
    private final Map<String, List<MemoryLink>> links = new ConcurrentHashMap<>();

    private static MediaMessage tag(MediaKind kind, long ts, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, ts, b);
    }

    private MemoryLink link(String id, int index) {
        await().atMost(Duration.ofSeconds(5)).until(() -> links.getOrDefault(id, List.of()).size() > index);
        return links.get(id).get(index);
    }

    @Test
    void aThrowingDestinationIsRetriedAloneAndTheOthersGetEveryTag() throws Exception {
        String ingestKey = TestKeys.ingest();
        List<DestinationTarget> targets = List.of(
                new DestinationTarget("d0", "zero", "rtmp://example/app", Secret.of(keys.get(0))),
                new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(keys.get(1))),
                new DestinationTarget("d2", "two", "rtmp://example/app", Secret.of(keys.get(2))));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "S"), Secret.of(ingestKey), targets)));
        DestinationConnector connector = (target, listener) -> {
            List<MemoryLink> mine = links.computeIfAbsent(target.id(), id -> new CopyOnWriteArrayList<>());
            MemoryLink link = new MemoryLink(listener);
            if (target.id().equals("d1") && mine.isEmpty()) {
                // Only d1's first connection is broken; the one it reconnects with works. The
                // error says the key, as a careless transport might: it must not reach a log or the stats.
                String key = target.streamKey().reveal();
                link.failure = message -> !message.isSequenceHeader() && message.kind() == MediaKind.VIDEO
                        ? new IllegalStateException("cannot encode tag for rtmp://example/app/" + key) : null;
            }
            mine.add(link);
            return link;
        };
        StreamRegistry registry = new StreamRegistry(catalog, catalog, connector, StreamRegistry.Settings.defaults());
        LiveStream stream = loop.submit(() -> registry.beginPublish(ingestKey, loop).stream()).get();
        AtomicBoolean publisherClosed = new AtomicBoolean();
        loop.submit(() -> stream.onDisconnectRequest(() -> publisherClosed.set(true))).get();

        for (String id : List.of("d0", "d1", "d2")) {
            MemoryLink link = link(id, 0);
            link.listener.onLive(link);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.relays(stream).stream()
                .allMatch(r -> r.state() == DestinationState.LIVE));

        List<MediaMessage> originals = new ArrayList<>();
        originals.add(tag(MediaKind.VIDEO, 0, 0x17, 0, 0, 0, 0)); // sequence header: d1 takes it
        originals.add(tag(MediaKind.VIDEO, 1000, 0x17, 1, 0, 0, 0)); // keyframe: d1's link throws
        for (int i = 1; i <= 5; i++) {
            originals.add(tag(MediaKind.VIDEO, 1000 + 33L * i, 0x27, 1, 0, 0, 0));
        }
        // Each tag is published in a task of its own, as the ingest does; none may throw.
        for (MediaMessage m : originals) {
            loop.submit(() -> stream.publish(m)).get();
        }

        for (String id : List.of("d0", "d2")) {
            assertEquals(originals.size(), link(id, 0).sent.size(), id + " got every tag");
            assertEquals(DestinationState.LIVE, relayOf(registry, stream, id).state(), id + " untouched");
        }
        assertFalse(publisherClosed.get(), "the publisher is not disconnected for one destination's failure");
        assertFalse(stream.isEnded());
        DestinationRelay failing = relayOf(registry, stream, "d1");
        assertTrue(link("d1", 0).closed, "the failing link was dropped");
        assertEquals(DestinationState.RETRYING, failing.state(), "retried like a connection failure");
        assertTrue(failing.lastError().contains("IllegalStateException"), failing.lastError());
        assertFalse(failing.lastError().contains(keys.get(1)), "no key in the error: " + failing.lastError());

        // After the backoff (about a second) it reconnects alone and joins at the cached GOP.
        MemoryLink second = link("d1", 1);
        second.listener.onLive(second);
        await().atMost(Duration.ofSeconds(5)).until(() -> failing.state() == DestinationState.LIVE);
        await().atMost(Duration.ofSeconds(5)).until(() -> second.sent.size() == originals.size());
        assertEquals(1, failing.reconnects());
        assertEquals(0, relayOf(registry, stream, "d0").reconnects());
        assertEquals(0, relayOf(registry, stream, "d2").reconnects());

        links.values().forEach(list -> list.forEach(MemoryLink::releaseAll));
        registry.endPublish(stream);
        loop.submit(() -> { }).get();
        for (int i = 0; i < originals.size(); i++) {
            assertEquals(0, originals.get(i).refCnt(), "tag " + i + " released, the failed delivery's copy included");
        }
    }

    private static DestinationRelay relayOf(StreamRegistry registry, LiveStream stream, String id) {
        return registry.relays(stream).stream().filter(r -> r.target().id().equals(id)).findFirst().orElseThrow();
    }
}
