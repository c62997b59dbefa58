package io.streamhelper.relay.rtmp.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * A refused encoder hears why, on every transport: real ffmpeg publishes to the wrong application
 * and with an unknown key, over NIO and over io_uring, and must print the server's reason before
 * it gives up, while the operator gets one {@code event=ingest_refused} line naming the reason and
 * never the key. On io_uring the answer was once lost: the connection was closed right after the
 * write was queued, and the close shuts the socket down first, so ffmpeg read nothing at all.
 */
class IngestRefusalTest {
    private final String key = TestKeys.ingest();

    @ParameterizedTest
    @EnumSource(Transport.class)
    void wrongApplicationIsToldWhy(Transport transport) throws Exception {
        String stranger = TestKeys.ingest();
        refused(transport, "app/" + stranger, stranger, "unknown application 'app'", "reason=unknown_application app=app");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unknownKeyIsToldWhy(Transport transport) throws Exception {
        String stranger = TestKeys.ingest();
        refused(transport, "live/" + stranger, stranger, "unknown stream key", "reason=unknown_key");
    }

    private void refused(Transport transport, String path, String secret, String ffmpegSays, String logSays) throws Exception {
        if (!Transport.available().contains(transport)) {
            // Refused with the reason rather than quietly run on NIO (TransportTest covers the message).
            assertThrows(IllegalStateException.class, () -> Transport.select("io_uring"));
            return;
        }
        Tools.require("ffmpeg");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "refusal-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 6);
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.<DestinationTarget>of())));
        StreamRegistry registry = new StreamRegistry(catalog, catalog, (target, listener) -> {
            throw new AssertionError("no destinations in this test");
        }, StreamRegistry.Settings.defaults());
        Lines lines = new Lines();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        lines.start();
        root.addAppender(lines);
        EventLoopGroup group = transport.newGroup(2, new DefaultThreadFactory("refusal-" + transport, true));
        IngestServer server = new IngestServer(new IngestSettings("127.0.0.1", 0, "live", Duration.ofSeconds(5),
                ChunkLimits.DEFAULT), registry, group, group).start();
        try {
            Path log = work.resolve("ffmpeg.log");
            Process ffmpeg = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + server.port() + "/" + path, log);
            assertTrue(ffmpeg.waitFor(15, TimeUnit.SECONDS), "ffmpeg gave up");
            String said = Files.readString(log);
            assertNotEquals(0, ffmpeg.exitValue(), said);
            assertTrue(said.contains(ffmpegSays), transport + ": ffmpeg was not told why:\n" + said);

            await().atMost(Duration.ofSeconds(5)).until(() -> !lines.refusals().isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
            List<String> refusals = lines.refusals();
            assertEquals(1, refusals.size(), refusals.toString());
            assertTrue(refusals.get(0).contains(logSays), refusals.get(0));
            assertTrue(registry.liveStreams().isEmpty());
            for (String line : lines.all) {
                assertFalse(line.contains(secret) || line.contains(key), "a key was logged: " + line);
            }
        } finally {
            root.detachAppender(lines);
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Every formatted log line, from whichever thread wrote it. */
    private static final class Lines extends AppenderBase<ILoggingEvent> {
        final List<String> all = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            all.add(event.getFormattedMessage());
        }

        List<String> refusals() {
            return all.stream().filter(line -> line.contains("event=ingest_refused")).toList();
        }
    }
}
