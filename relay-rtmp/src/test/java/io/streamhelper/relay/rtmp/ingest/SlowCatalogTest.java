package io.streamhelper.relay.rtmp.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.client.ClientSettings;
import io.streamhelper.relay.rtmp.client.LinkOutcome;
import io.streamhelper.relay.rtmp.client.RtmpDestinationConnector;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A catalog that is slow to answer (a database under load) holds up only the publisher waiting for
 * it: another publisher on the same event loop keeps streaming meanwhile.
 */
class SlowCatalogTest {
    private final EventLoopGroup acceptor = new NioEventLoopGroup(1);
    /** One ingest loop, so both publishers share it. */
    private final EventLoopGroup ingestLoop = new NioEventLoopGroup(1);
    private final EventLoopGroup clientLoop = new NioEventLoopGroup(1);
    private final ExecutorService catalogReads = Executors.newCachedThreadPool();
    private final String fastKey = TestKeys.ingest();
    private final String slowKey = TestKeys.ingest();
    private final CountDownLatch slowAsked = new CountDownLatch(1);
    private final CountDownLatch slowAnswers = new CountDownLatch(1);
    private IngestServer server;

    @AfterEach
    void stop() {
        slowAnswers.countDown();
        if (server != null) {
            server.close();
        }
        catalogReads.shutdownNow();
        clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        ingestLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aPublisherWaitingForTheCatalogDoesNotStallAnotherOnTheSameLoop() throws Exception {
        Tools.require("ffmpeg", "ffprobe");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "slow-catalog-");
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("fast", "Fast"), Secret.of(fastKey), List.<DestinationTarget>of()),
                new StaticStreamCatalog.Entry(new StreamGrant("slow", "Slow"), Secret.of(slowKey), List.<DestinationTarget>of())));
        PublishAuthorizer slowForOneKey = key -> {
            if (key.equals(slowKey)) {
                slowAsked.countDown();
                try {
                    slowAnswers.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return catalog.authorize(key);
        };
        StreamRegistry registry = new StreamRegistry(slowForOneKey, catalog, (target, listener) -> {
            throw new AssertionError("no destinations in this test");
        }, StreamRegistry.Settings.defaults().withCatalogReads(catalogReads));
        server = new IngestServer(new IngestSettings("127.0.0.1", 0, "live", Duration.ofSeconds(10), ChunkLimits.DEFAULT),
                registry, acceptor, ingestLoop).start();

        Process fast = Ffmpeg.publish(Ffmpeg.testClip(Path.of("target", "clips"), 6),
                "rtmp://127.0.0.1:" + server.port() + "/live/" + fastKey, work.resolve("fast.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.liveStreams().size() == 1);
        LiveStream fastStream = registry.liveStreams().iterator().next();
        await().atMost(Duration.ofSeconds(5)).until(() -> fastStream.videoFrames() > 0);

        LinkOutcome slow = new LinkOutcome();
        new RtmpDestinationConnector(clientLoop, ClientSettings.defaults()).connect(
                new DestinationTarget("slow", "slow", "rtmp://127.0.0.1:" + server.port() + "/live", Secret.of(slowKey)), slow);
        assertTrue(slowAsked.await(10, TimeUnit.SECONDS), "the slow publisher reached the catalog");

        // While the catalog keeps the slow publisher waiting, the other one goes on: a second of frames.
        long framesWhenAsked = fastStream.videoFrames();
        await().atMost(Duration.ofSeconds(5)).until(() -> fastStream.videoFrames() >= framesWhenAsked + 25);
        assertFalse(slow.live.isDone(), "the slow publisher is still waiting for its answer");

        slowAnswers.countDown();
        slow.live.get(10, TimeUnit.SECONDS);
        assertEquals(2, registry.liveStreams().size());
        assertTrue(fast.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, fast.exitValue(), Files.readString(work.resolve("fast.log")));
    }
}
