package io.streamhelper.relay.rtmp.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.chunk.ChunkDecoder;
import io.streamhelper.relay.rtmp.chunk.ChunkEncoder;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.chunk.IngestLimitException;
import io.streamhelper.relay.rtmp.chunk.MessageBufferBudget;
import io.streamhelper.relay.rtmp.chunk.MessageBufferLimits;
import io.streamhelper.relay.rtmp.chunk.ProtocolControlHandler;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * From connect to a granted publish there is a deadline (in virtual time here: EmbeddedChannel's
 * clock), and the grant lifts the chunk decoder's limits for a connection without a key. The
 * pipeline is the ingest's from the chunk codec on, fed real chunk bytes.
 */
class PublishDeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(5000);

    private final String key = TestKeys.ingest();
    /** Catalog reads wait here until the test runs them, like a slow database. */
    private final Queue<Runnable> catalogReads = new ArrayDeque<>();
    private final MessageBufferBudget budget = new MessageBufferBudget(MessageBufferLimits.DEFAULT_BUDGET_BYTES);
    private final List<Throwable> errors = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger sessionLog = (Logger) LoggerFactory.getLogger(IngestSessionHandler.class);
    private StreamRegistry registry;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.<DestinationTarget>of())));
        registry = new StreamRegistry(catalog, catalog, (t, l) -> {
            throw new AssertionError("no destinations");
        }, StreamRegistry.Settings.defaults().withCatalogReads(catalogReads::add));
        IngestSettings settings = IngestSettings.defaults(0).withPublishDeadline(DEADLINE);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ChunkDecoder(ChunkLimits.DEFAULT, settings.buffers(), budget), new ChunkEncoder(),
                new ProtocolControlHandler(), new IngestSessionHandler(registry, settings, errors::add));
        logged.start();
        sessionLog.addAppender(logged);
    }

    @AfterEach
    void tearDown() {
        sessionLog.detachAppender(logged);
        channel.finishAndReleaseAll();
        registry.liveStreams().forEach(registry::endPublish);
        assertEquals(0, budget.reserved(), "every partial message given back");
    }

    /** Chunk bytes of the messages, as a publisher sends them (128-byte chunks). */
    private static ByteBuf wire(RtmpMessage... messages) {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        for (RtmpMessage m : messages) {
            encoder.writeOutbound(m);
        }
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf part; (part = encoder.readOutbound()) != null; part.release()) {
            wire.writeBytes(part);
        }
        encoder.finishAndReleaseAll();
        return wire;
    }

    private RtmpMessage command(Command command, int chunkStream, int streamId) {
        return command.encode(channel.alloc(), chunkStream, streamId);
    }

    private void connect() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("app", "live");
        o.put("tcUrl", "rtmp://127.0.0.1/live");
        channel.writeInbound(wire(command(Command.of("connect", 1, o), 3, 0),
                command(Command.of("createStream", 2, (Object) null), 3, 0)));
    }

    private void publish() {
        channel.writeInbound(wire(command(Command.of("publish", 3, null, key, "live"), 8, 1)));
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private void answerCatalog() {
        for (Runnable read; (read = catalogReads.poll()) != null; ) {
            read.run();
        }
        channel.runPendingTasks();
    }

    private List<String> limitLines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("event=ingest_limit")).toList();
    }

    private void releaseOutbound() {
        for (Object o; (o = channel.readOutbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(o);
        }
    }

    @Test
    void aConnectionThatNeverPublishesIsClosedAtTheDeadline() {
        connect();
        releaseOutbound();
        advance(DEADLINE.toMillis() - 1);
        assertTrue(channel.isOpen(), "open until the deadline");
        advance(1);
        assertFalse(channel.isOpen(), "closed at the deadline");
        assertEquals(List.of("event=ingest_limit reason=publish_deadline remote=" + channel.remoteAddress() + " timeout_ms=5000"),
                limitLines(), "logged once");
        advance(DEADLINE.toMillis());
        assertEquals(1, limitLines().size(), "and only once");
    }

    @Test
    void aGrantedPublishIsNotTouchedByTheDeadline() {
        connect();
        publish();
        answerCatalog();
        releaseOutbound();
        assertEquals(1, registry.liveStreams().size());
        advance(DEADLINE.toMillis() * 3);
        // The media idle check (10 s without media) would close it at some point; the deadline did not.
        assertTrue(limitLines().isEmpty(), "" + limitLines());
    }

    @Test
    void anAuthorizationStillInFlightAtTheDeadlineClosesAndTheLateGrantIsEnded() {
        connect();
        publish();
        releaseOutbound();
        assertEquals(1, catalogReads.size(), "the key is being checked");
        advance(DEADLINE.toMillis());
        assertFalse(channel.isOpen(), "closed while the catalog was still asked");
        assertTrue(outboundText().contains("the server is busy, try again"),
                "the encoder is told, not just dropped: " + outboundText());
        assertEquals(1, limitLines().size());
        answerCatalog(); // the key was good, but too late
        assertTrue(registry.liveStreams().isEmpty(), "a stream granted after the deadline is ended at once");
    }

    /**
     * deleteStream decoded in the same read as its publish arrives while the key is checked:
     * the grant is ended, and the connection reads again (it may publish once more) instead of
     * waiting, with reading off, for its deadline. A publish after that is answered for itself.
     */
    @Test
    void anUnpublishWhileTheKeyIsCheckedEndsTheGrantAndTheConnectionGoesOn() {
        connect();
        channel.writeInbound(wire(command(Command.of("publish", 3, null, key, "live"), 8, 1),
                command(Command.of("deleteStream", 4, null, 1.0), 3, 0)));
        releaseOutbound();
        assertFalse(channel.config().isAutoRead(), "nothing read while the key is checked");
        answerCatalog();
        assertTrue(registry.liveStreams().isEmpty(), "unpublished before the answer: not live");
        assertTrue(channel.isOpen());
        assertTrue(channel.config().isAutoRead(), "reading again");

        publish();
        answerCatalog();
        assertEquals(1, registry.liveStreams().size(), "the second publish is granted for itself");
        assertTrue(outboundText().contains("NetStream.Publish.Start"));
    }

    /** What the server wrote since the last look, as text (AMF0 strings are plain bytes). */
    private String outboundText() {
        StringBuilder text = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) {
                text.append(b.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            io.netty.util.ReferenceCountUtil.release(o);
        }
        return text.toString();
    }

    @Test
    void theGrantLiftsTheDecoderLimitsForAConnectionWithoutAKey() {
        connect();
        publish();
        answerCatalog();
        releaseOutbound();
        LiveStream live = registry.liveStreams().iterator().next();
        // A 200 KB keyframe: far over the 64 KiB a connection may hold before its publish is granted.
        byte[] frame = new byte[200_000];
        frame[0] = 0x17;
        frame[1] = 1;
        channel.writeInbound(wire(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(frame))));
        assertTrue(errors.isEmpty(), "" + errors);
        assertTrue(channel.isOpen());
        assertEquals(1, live.videoFrames(), "the frame reached the live stream");
    }

    @Test
    void beforeTheGrantTheSameFrameClosesTheConnectionOnce() {
        connect();
        releaseOutbound();
        byte[] frame = new byte[200_000];
        frame[0] = 0x17;
        channel.writeInbound(wire(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(frame))));
        assertFalse(channel.isOpen());
        assertEquals(1, errors.size(), "" + errors);
        assertEquals("before_publish_bytes", ((IngestLimitException) errors.get(0)).reason());
        List<String> lines = limitLines();
        assertEquals(1, lines.size(), "" + lines);
        assertTrue(lines.get(0).startsWith("event=ingest_limit reason=before_publish_bytes stream=- remote="), lines.get(0));
        assertFalse(lines.get(0).contains(key));
    }
}
