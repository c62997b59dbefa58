package io.streamhelper.relay.rtmp.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.DestinationTarget;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.net.SocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingest over real sockets: ffmpeg as the publisher, plus raw sockets for what no well-behaved
 * encoder sends. No destinations here: what is asserted is what the live stream received.
 */
class IngestServerTest {
    private static final Duration IDLE = Duration.ofMillis(1500);

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private StreamRegistry registry;
    private IngestServer server;
    private Path work;
    private final String key = TestKeys.ingest();

    @BeforeEach
    void start() throws Exception {
        Tools.require("ffmpeg", "ffprobe");
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "ingest-");
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.<DestinationTarget>of())));
        registry = new StreamRegistry(catalog, catalog, (target, listener) -> {
            throw new AssertionError("no destinations in this test");
        }, StreamRegistry.Settings.defaults());
        server = new IngestServer(new IngestSettings("127.0.0.1", 0, "live", IDLE, ChunkLimits.DEFAULT),
                registry, group, group).start();
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private String url(String key) {
        return "rtmp://127.0.0.1:" + server.port() + "/live/" + key;
    }

    private Path clip() throws Exception {
        return Ffmpeg.testClip(Path.of("target", "clips"), 6);
    }

    @Test
    void secondPublisherOnALiveKeyIsRefusedAndTheFirstKeepsStreaming() throws Exception {
        Path clip = clip();
        long clipFrames = Ffmpeg.countVideoFrames(clip);
        Process first = Ffmpeg.publish(clip, url(key), work.resolve("first.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.liveStreams().size() == 1);
        LiveStream live = registry.liveStreams().iterator().next();

        Process second = Ffmpeg.publish(clip, url(key + "?second=1"), work.resolve("second.log"));
        assertTrue(second.waitFor(15, TimeUnit.SECONDS));
        assertNotEquals(0, second.exitValue(), "the second publisher is refused");
        assertTrue(Files.readString(work.resolve("second.log")).contains("Server error: the stream is live from another encoder"),
                Files.readString(work.resolve("second.log")));

        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue(), Files.readString(work.resolve("first.log")));
        assertEquals(clipFrames, live.videoFrames(), "the first publisher delivered every frame");
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.liveStreams().isEmpty());
    }

    @Test
    void publisherThatStopsSendingMediaIsDropped() throws Exception {
        // Our own RTMP client publishes (handshake, connect, createStream, publish) and then sends nothing.
        RtmpDestinationConnector client = new RtmpDestinationConnector(group, ClientSettings.defaults());
        LinkOutcome outcome = new LinkOutcome();
        long started = System.nanoTime();
        client.connect(new DestinationTarget("self", "self", "rtmp://127.0.0.1:" + server.port() + "/live", Secret.of(key)), outcome);
        outcome.live.get(10, TimeUnit.SECONDS);
        assertEquals(1, registry.liveStreams().size());
        Throwable cause = outcome.closed.get(10, TimeUnit.SECONDS);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(waitedMs >= IDLE.toMillis() - 100, "not dropped before the idle timeout: " + waitedMs + " ms");
        assertTrue(cause.getMessage() != null && cause.getMessage().contains("closed by the destination"), String.valueOf(cause));
        await().atMost(Duration.ofSeconds(2)).until(() -> registry.liveStreams().isEmpty());
    }

    @Test
    void garbageClosesOnlyThatConnection() throws Exception {
        Path clip = clip();
        long clipFrames = Ffmpeg.countVideoFrames(clip);
        Process publisher = Ffmpeg.publish(clip, url(key), work.resolve("publisher.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.liveStreams().size() == 1);
        LiveStream live = registry.liveStreams().iterator().next();

        // An HTTP request on the RTMP port.
        assertClosedAfter("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
        // A valid handshake followed by a chunk stream whose first header is type 3 (no state to inherit).
        assertClosedAfter(new byte[] {(byte) 0xC5, 1, 2, 3}, true);
        // A connect command whose AMF0 announces a 60000-byte string in a 20-byte message.
        byte[] badAmf = {0x03, 0, 0, 0, 0, 0, 20, 20, 0, 0, 0, 0, 0x02, (byte) 0xEA, 0x60, 'c', 'o', 'n', 'n', 'e', 'c', 't',
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        assertClosedAfter(badAmf, true);

        assertTrue(publisher.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, publisher.exitValue(), Files.readString(work.resolve("publisher.log")));
        assertEquals(clipFrames, live.videoFrames(), "the publisher did not notice");
    }

    /** Sends bytes (after a handshake when asked) and asserts the server closes the connection. */
    private void assertClosedAfter(byte[] bytes, boolean handshakeFirst) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (handshakeFirst) {
                byte[] c0c1 = new byte[1537];
                c0c1[0] = 3;
                out.write(c0c1);
                byte[] s0s1s2 = in.readNBytes(3073);
                assertEquals(3073, s0s1s2.length);
                out.write(s0s1s2, 1, 1536); // C2 echoes S1
            }
            out.write(bytes);
            out.flush();
            // The server closes: read reaches end of stream (whatever it sent before that).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            try {
                while (in.read() != -1) {
                    assertTrue(System.nanoTime() < deadline, "server kept the connection open");
                }
            } catch (SocketException reset) {
                // closed with a reset: closed all the same
            }
        }
    }
}
