package io.streamhelper.relay.rtmp.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.rtmp.chunk.ProtocolControlHandler;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.rtmp.message.StatusObjects;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a publisher's connection ends, as the stream and its destinations see it (issue 19): the
 * streamer's stop ends the stream at once; a connection that goes away any other way leaves it
 * reconnecting for the registry's grace (and ends it at once with no grace). The registry's
 * timers run on a {@link ManualScheduler}; the ingest's idle check on the channel's frozen clock.
 */
class IngestPublishEndTest {
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final String key = TestKeys.ingest();
    private final ManualScheduler clock = new ManualScheduler();
    private final List<RecordingLink> links = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private StreamRegistry registry;

    /** A destination as the relay drives it: records whether it was told the stream ended (closed). */
    private static final class RecordingLink implements DestinationLink {
        final Listener listener;
        boolean closed;

        RecordingLink(Listener listener) {
            this.listener = listener;
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
            if (!closed) {
                closed = true;
                listener.onClosed(this, null);
            }
        }

        @Override
        public void abort(Throwable reason) {
            closed = true;
            listener.onClosed(this, reason);
        }
    }

    private final DestinationConnector connector = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            RecordingLink link = new RecordingLink(listener);
            links.add(link);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);
        }
    };

    @AfterEach
    void tearDown() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        if (registry != null) {
            registry.liveStreams().forEach(registry::endPublish);
        }
    }

    private void useRegistry(Duration grace) {
        DestinationTarget target = new DestinationTarget("d1", "one", "rtmp://example/app", Secret.of(TestKeys.destination()));
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.of(target))));
        registry = new StreamRegistry(catalog, catalog, connector, StreamRegistry.Settings.defaults().withPublisherGrace(grace));
    }

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolControlHandler(),
                new IngestSessionHandler(registry, IngestSettings.defaults(0)));
        channel.freezeTime(); // the idle check and the deadlines move only when a test says so
        channels.add(channel);
        return channel;
    }

    private static void send(EmbeddedChannel channel, Command command, int streamId) {
        channel.writeInbound(command.encode(channel.alloc(), 3, streamId));
    }

    /** The commands written back, in order; releases every reply. */
    private static List<Command> commands(EmbeddedChannel channel) {
        List<Command> out = new ArrayList<>();
        for (RtmpMessage m; (m = channel.readOutbound()) != null; m.release()) {
            if (Command.isCommand(m)) {
                out.add(Command.decode(m));
            }
        }
        return out;
    }

    private static Map<String, Object> connectObject() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("app", "live");
        o.put("tcUrl", "rtmp://127.0.0.1/live");
        return o;
    }

    /** connect, createStream, publish with the key: the last status the encoder was sent. */
    private Map<String, Object> publish(EmbeddedChannel channel) {
        send(channel, Command.of("connect", 1, connectObject()), 0);
        send(channel, Command.of("releaseStream", 2, null, key), 0);
        send(channel, Command.of("FCPublish", 3, null, key), 0);
        send(channel, Command.of("createStream", 4, (Object) null), 0);
        send(channel, Command.of("publish", 5, null, key, "live"), 1);
        channel.runPendingTasks();
        List<Command> answers = commands(channel);
        return answers.get(answers.size() - 1).objectArgument(1);
    }

    private static void sendKeyframe(EmbeddedChannel channel, int timestamp) {
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, timestamp,
                Unpooled.wrappedBuffer(new byte[] {0x17, 1, 0, 0, 0, 9})));
    }

    /** A publisher live with the key, its destination published. */
    private LiveStream goLive(EmbeddedChannel channel) {
        assertEquals("NetStream.Publish.Start", StatusObjects.code(publish(channel)));
        channel.runPendingTasks();
        assertEquals(1, links.size(), "the destination is dialled");
        links.get(0).listener.onLive(links.get(0));
        channel.runPendingTasks();
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 0, 0, 0, 0})));
        sendKeyframe(channel, 0);
        LiveStream live = registry.liveStreams().iterator().next();
        assertEquals(StreamState.LIVE, live.state());
        return live;
    }

    private RecordingLink destination() {
        return links.get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FCUnpublish", "deleteStream", "closeStream"})
    void theStreamersStopEndsTheStreamAtOnceEvenWithAGrace(String stop) {
        useRegistry(GRACE);
        EmbeddedChannel encoder = connection();
        LiveStream live = goLive(encoder);

        send(encoder, stop.equals("FCUnpublish") ? Command.of(stop, 6, null, key) : Command.of(stop, 6, null, 1.0), 0);
        encoder.runPendingTasks();

        assertEquals(StreamState.ENDED, live.state(), stop + " ends the stream, no grace");
        assertTrue(registry.liveStreams().isEmpty());
        assertTrue(destination().closed, "the destination is unpublished at once");
        assertTrue(encoder.isOpen(), "the connection may stay for another publish");
    }

    /** The ways a connection goes away without the streamer's stop. */
    enum Loss {
        CLOSED {
            @Override
            void happen(EmbeddedChannel channel) {
                channel.close();
            }
        },
        MALFORMED_INPUT {
            @Override
            void happen(EmbeddedChannel channel) {
                // A command whose AMF0 string claims 0xFFFF bytes and has none: it cannot be decoded.
                channel.writeInbound(new RtmpMessage(3, MessageType.COMMAND_AMF0, 0, 0,
                        Unpooled.wrappedBuffer(new byte[] {0x02, (byte) 0xFF, (byte) 0xFF, 'x'})));
            }
        },
        MEDIA_IDLE {
            @Override
            void happen(EmbeddedChannel channel) {
                // Control messages keep the connection busy, but no media comes for the idle timeout.
                Duration idle = IngestSettings.defaults(0).idleTimeout();
                channel.advanceTimeBy(idle.toMillis() + idle.toMillis() / 4, TimeUnit.MILLISECONDS);
                channel.runScheduledPendingTasks();
            }
        };

        abstract void happen(EmbeddedChannel channel);
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void aLostConnectionLeavesTheStreamReconnectingForTheGrace(Loss loss) {
        useRegistry(GRACE);
        EmbeddedChannel encoder = connection();
        LiveStream live = goLive(encoder);

        loss.happen(encoder);
        encoder.runPendingTasks();

        assertFalse(encoder.isOpen(), "the lost connection is closed");
        assertEquals(StreamState.RECONNECTING, live.state(), loss + " leaves the stream waiting for its encoder");
        assertSame(live, registry.liveStream("s1").orElseThrow());
        assertFalse(destination().closed, "the destination stays published through the grace");

        clock.advance(GRACE.minusMillis(1));
        assertEquals(StreamState.RECONNECTING, live.state());
        clock.advance(Duration.ofMillis(1));
        assertEquals(StreamState.ENDED, live.state(), "nobody came back: the stream ends when the grace runs out");
        assertTrue(destination().closed);
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void withNoGraceALostConnectionEndsTheStreamAtOnce(Loss loss) {
        useRegistry(Duration.ZERO);
        EmbeddedChannel encoder = connection();
        LiveStream live = goLive(encoder);

        loss.happen(encoder);
        encoder.runPendingTasks();

        assertEquals(StreamState.ENDED, live.state());
        assertTrue(registry.liveStreams().isEmpty());
        assertTrue(destination().closed, "the destination is unpublished at once");
    }

    @Test
    void aSecondEncoderIsRefusedWhileTheFirstSendsWithoutKeyOrAddress() {
        useRegistry(GRACE);
        EmbeddedChannel first = connection();
        LiveStream live = goLive(first);

        EmbeddedChannel second = connection();
        Map<String, Object> refusal = publish(second);
        second.runPendingTasks();

        assertEquals("error", StatusObjects.level(refusal));
        assertEquals("NetStream.Publish.BadName", StatusObjects.code(refusal));
        String description = String.valueOf(refusal.get("description"));
        assertEquals("the stream is live from another encoder", description);
        assertFalse(refusal.toString().contains(key), "the key is not echoed");
        assertFalse(refusal.toString().contains(String.valueOf(first.remoteAddress())), "the first encoder's address is not shown");
        assertFalse(refusal.toString().matches("(?s).*\\d+\\.\\d+\\.\\d+\\.\\d+.*"), "no IP address in it");
        assertFalse(second.isOpen(), "the refused connection closes");

        sendKeyframe(first, 33);
        assertEquals(StreamState.LIVE, live.state(), "the first encoder goes on");
        assertTrue(first.isOpen());
        assertFalse(destination().closed);
    }
}
