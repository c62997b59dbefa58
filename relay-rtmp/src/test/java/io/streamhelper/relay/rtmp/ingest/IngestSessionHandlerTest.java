package io.streamhelper.relay.rtmp.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.amf.Amf0EcmaArray;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import io.streamhelper.relay.rtmp.chunk.ProtocolControlHandler;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.rtmp.message.StatusObjects;
import io.streamhelper.relay.engine.stream.VideoFormat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.streamhelper.relay.testkit.TestKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher conversation at message level (below it the chunk codec, tested on its own):
 * what an encoder sends, in the orders OBS and ffmpeg use, and what it must get back.
 */
class IngestSessionHandlerTest {
    private final String key = TestKeys.ingest();
    private StreamRegistry registry;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(
                new StaticStreamCatalog.Entry(new StreamGrant("s1", "One"), Secret.of(key), List.<DestinationTarget>of())));
        registry = new StreamRegistry(catalog, catalog, (t, l) -> {
            throw new AssertionError("no destinations");
        }, StreamRegistry.Settings.defaults());
        channel = new EmbeddedChannel(new ProtocolControlHandler(),
                new IngestSessionHandler(registry, IngestSettings.defaults(0)));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        registry.liveStreams().forEach(registry::endPublish);
    }

    private void send(Command command, int streamId) {
        channel.writeInbound(command.encode(channel.alloc(), 3, streamId));
    }

    /** Replies as (type, command name or null) pairs; releases them. */
    private List<Object[]> replies() {
        List<Object[]> out = new ArrayList<>();
        for (RtmpMessage m; (m = channel.readOutbound()) != null; m.release()) {
            out.add(new Object[] {m.typeId(), Command.isCommand(m) ? Command.decode(m) : null});
        }
        return out;
    }

    private static Map<String, Object> connectObject(String app) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("app", app);
        o.put("type", "nonprivate");
        o.put("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)");
        o.put("tcUrl", "rtmp://127.0.0.1/" + app);
        return o;
    }

    @Test
    void obsOrderFromConnectToPublishStart() {
        channel.writeInbound(ProtocolControl.setChunkSize(channel.alloc(), 4096)); // OBS sends it before connect
        send(Command.of("connect", 1, connectObject("live")), 0);
        List<Object[]> connect = replies();
        assertEquals(List.of(MessageType.WINDOW_ACK_SIZE, MessageType.SET_PEER_BANDWIDTH, MessageType.SET_CHUNK_SIZE,
                MessageType.COMMAND_AMF0), connect.stream().map(r -> r[0]).toList());
        Command result = (Command) connect.get(3)[1];
        assertEquals("_result", result.name());
        assertEquals(1.0, result.transactionId());
        assertEquals("NetConnection.Connect.Success", StatusObjects.code(result.objectArgument(1)));

        send(Command.of("releaseStream", 2, null, key), 0);
        send(Command.of("FCPublish", 3, null, key), 0);
        send(Command.of("createStream", 4, (Object) null), 0);
        List<Object[]> created = replies();
        Command createResult = (Command) created.get(created.size() - 1)[1];
        assertEquals(4.0, createResult.transactionId());
        assertEquals(1.0, createResult.argument(1), "stream id 1");

        send(Command.of("publish", 5, null, key, "live"), 1);
        List<Object[]> published = replies();
        assertEquals(MessageType.USER_CONTROL, published.get(0)[0], "Stream Begin");
        Command status = (Command) published.get(published.size() - 1)[1];
        assertEquals("onStatus", status.name());
        assertEquals("NetStream.Publish.Start", StatusObjects.code(status.objectArgument(1)));
        assertEquals(1, registry.liveStreams().size());

        // @setDataFrame onMetaData is kept without its "@setDataFrame" and the media reaches the stream.
        LiveStream live = registry.liveStreams().iterator().next();
        ByteBuf meta = Unpooled.buffer();
        Amf0EcmaArray md = new Amf0EcmaArray();
        md.put("width", 1280.0);
        Amf0Writer.writeAll(meta, "@setDataFrame", "onMetaData", md);
        channel.writeInbound(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0, meta));
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 0, 0, 0, 0})));
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 1, 0, 0, 0, 9})));
        assertEquals(1, live.videoFrames());
        List<io.streamhelper.relay.engine.media.MediaMessage> headers = live.retainedHeaders();
        assertEquals(2, headers.size(), "metadata and the video sequence header");
        ByteBuf storedMeta = headers.get(0).content();
        assertEquals("onMetaData", io.streamhelper.relay.rtmp.amf.Amf0Reader.read(storedMeta.duplicate()));
        headers.forEach(io.streamhelper.relay.engine.media.MediaMessage::release);

        send(Command.of("FCUnpublish", 6, null, key), 0);
        send(Command.of("deleteStream", 7, null, 1.0), 0);
        assertTrue(registry.liveStreams().isEmpty(), "deleteStream ends the publish");
        assertTrue(live.isEnded());
        assertTrue(channel.isOpen(), "the connection may stay for another publish");
    }

    @Test
    void onMetaDataGivesTheStreamItsPictureSizeAndFrameRate() {
        send(Command.of("connect", 1, connectObject("live")), 0);
        send(Command.of("createStream", 2, (Object) null), 0);
        send(Command.of("publish", 3, null, key, "live"), 1);
        replies();
        LiveStream live = registry.liveStreams().iterator().next();
        assertEquals(VideoFormat.UNKNOWN, live.announcedFormat(), "nothing announced yet");

        // OBS's names; a hardware encoder's "videoframerate" is read when "framerate" is absent.
        ByteBuf meta = Unpooled.buffer();
        Amf0EcmaArray md = new Amf0EcmaArray();
        md.put("width", 1920.0);
        md.put("height", 1080.0);
        md.put("framerate", 59.94);
        Amf0Writer.writeAll(meta, "@setDataFrame", "onMetaData", md);
        channel.writeInbound(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0, meta));
        assertEquals(new VideoFormat(1920, 1080, 59.94), live.announcedFormat());

        ByteBuf other = Unpooled.buffer();
        Amf0EcmaArray hw = new Amf0EcmaArray();
        hw.put("width", 1280.0);
        hw.put("height", 720.0);
        hw.put("videoframerate", 30.0);
        Amf0Writer.writeAll(other, "onMetaData", hw);
        channel.writeInbound(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0, other));
        assertEquals(new VideoFormat(1280, 720, 30.0), live.announcedFormat(), "a new onMetaData replaces the old");

        // Nonsense from a stranger is not shown as a picture size.
        ByteBuf silly = Unpooled.buffer();
        Amf0EcmaArray bad = new Amf0EcmaArray();
        bad.put("width", -5.0);
        bad.put("height", "tall");
        Amf0Writer.writeAll(silly, "onMetaData", bad);
        channel.writeInbound(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0, silly));
        assertEquals(VideoFormat.UNKNOWN, live.announcedFormat());
        assertEquals("embedded", live.publisherAddress(), "the ingest names the publisher's address");
    }

    @Test
    void publisherAddressesPrintAsIpAndPort() throws Exception {
        assertEquals("203.0.113.7:51234", IngestSessionHandler.hostAndPort(
                new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 51234)));
        assertEquals("[2001:db8:0:0:0:0:0:7]:1935", IngestSessionHandler.hostAndPort(
                new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 1935)));
    }

    @Test
    void amf3CommandMessagesAreUnderstood() {
        ByteBuf payload = Unpooled.buffer().writeByte(0); // AMF3 command: one format byte, then AMF0
        Amf0Writer.writeAll(payload, "connect", 1.0, connectObject("live"));
        channel.writeInbound(new RtmpMessage(3, MessageType.COMMAND_AMF3, 0, 0, payload));
        List<Object[]> connect = replies();
        Command result = (Command) connect.get(connect.size() - 1)[1];
        assertEquals("NetConnection.Connect.Success", StatusObjects.code(result.objectArgument(1)));
    }

    @Test
    void unknownKeyGetsBadNameAndTheConnectionCloses() {
        String wrongKey = TestKeys.ingest();
        send(Command.of("connect", 1, connectObject("live")), 0);
        send(Command.of("createStream", 2, (Object) null), 0);
        replies();
        send(Command.of("publish", 3, null, wrongKey + "?foo=bar", "live"), 1);
        List<Object[]> refused = replies();
        Command status = (Command) refused.get(refused.size() - 1)[1];
        assertEquals("error", StatusObjects.level(status.objectArgument(1)));
        assertEquals("NetStream.Publish.BadName", StatusObjects.code(status.objectArgument(1)));
        assertFalse(status.objectArgument(1).toString().contains(wrongKey), "the key is not echoed");
        channel.runPendingTasks();
        assertFalse(channel.isOpen());
        assertTrue(registry.liveStreams().isEmpty());
    }

    @Test
    void wrongApplicationIsRejected() {
        send(Command.of("connect", 1, connectObject("vod")), 0);
        List<Object[]> replies = replies();
        Command error = (Command) replies.get(replies.size() - 1)[1];
        assertEquals("_error", error.name());
        assertEquals("NetConnection.Connect.Rejected", StatusObjects.code(error.objectArgument(1)));
        assertFalse(channel.isOpen());
    }

    @Test
    void publishBeforeConnectIsAProtocolError() {
        send(Command.of("publish", 1, null, key, "live"), 1);
        assertFalse(channel.isOpen());
        assertTrue(registry.liveStreams().isEmpty());
    }

    @Test
    void queryStringIsNotPartOfTheKey() {
        assertEquals(key, IngestSessionHandler.streamKey(key + "?bandwidthtest=true"));
        assertEquals(key, IngestSessionHandler.streamKey(key));
        assertEquals("", IngestSessionHandler.streamKey(null));
    }

    @Test
    void pingRequestIsAnswered() {
        channel.writeInbound(ProtocolControl.userControl(channel.alloc(), ProtocolControl.USER_PING_REQUEST, 12345));
        RtmpMessage pong = channel.readOutbound();
        try {
            assertEquals(MessageType.USER_CONTROL, pong.typeId());
            assertEquals(ProtocolControl.USER_PING_RESPONSE, pong.content().getUnsignedShort(0));
            assertEquals(12345, pong.content().getInt(2));
        } finally {
            pong.release();
        }
    }

    /** The stream ids of the replies, in order, as (message stream id, command or null); releases them. */
    private List<Object[]> repliesWithStreams() {
        List<Object[]> out = new ArrayList<>();
        for (RtmpMessage m; (m = channel.readOutbound()) != null; m.release()) {
            out.add(new Object[] {m.messageStreamId(), Command.isCommand(m) ? Command.decode(m) : null});
        }
        return out;
    }

    @Test
    void publishIsBoundToTheStreamItArrivedOnNotToTheLastOneCreated() {
        send(Command.of("connect", 1, connectObject("live")), 0);
        send(Command.of("createStream", 2, (Object) null), 0);
        send(Command.of("createStream", 3, (Object) null), 0);
        replies();
        send(Command.of("publish", 4, null, key, "live"), 1); // on the first of the two streams
        List<Object[]> published = repliesWithStreams();
        Object[] start = published.get(published.size() - 1);
        assertEquals("NetStream.Publish.Start", StatusObjects.code(((Command) start[1]).objectArgument(1)));

        LiveStream live = registry.liveStreams().iterator().next();
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 0, 0, 0, 0})));
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 1, 0, 0, 0, 9})));
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 1, 33, Unpooled.wrappedBuffer(new byte[] {0x27, 1, 0, 0, 0, 9})));
        channel.writeInbound(new RtmpMessage(6, MessageType.VIDEO, 2, 66, Unpooled.wrappedBuffer(new byte[] {0x27, 1, 0, 0, 0, 9})));
        assertEquals(2, live.videoFrames(), "the two frames on the published stream arrive, the one on the other stream does not");
        assertEquals(1, start[0], "Publish.Start is sent on the stream the publish came on");
    }

    @Test
    void publishOnAStreamNeverCreatedIsAnsweredAndClosed() {
        send(Command.of("connect", 1, connectObject("live")), 0);
        send(Command.of("createStream", 2, (Object) null), 0);
        replies();
        send(Command.of("publish", 3, null, key, "live"), 5);
        List<Object[]> answer = repliesWithStreams();
        Object[] status = answer.get(answer.size() - 1);
        assertEquals(5, status[0]);
        Map<String, Object> info = ((Command) status[1]).objectArgument(1);
        assertEquals("error", StatusObjects.level(info));
        assertEquals("NetStream.Failed", StatusObjects.code(info));
        assertFalse(info.toString().contains(key), "the key is not echoed");
        assertFalse(channel.isOpen());
        assertTrue(registry.liveStreams().isEmpty());
    }

    @Test
    void commandsOutOfOrderAreAnsweredBeforeTheClose() {
        send(Command.of("createStream", 2, (Object) null), 0); // before connect
        List<Object[]> answer = replies();
        Command error = (Command) answer.get(answer.size() - 1)[1];
        assertEquals("_error", error.name());
        assertEquals(2.0, error.transactionId());
        assertEquals("NetConnection.Call.Failed", StatusObjects.code(error.objectArgument(1)));
        assertFalse(channel.isOpen());
    }

    /** Takes every write and never completes it: a peer that never reads, as the channel sees it. */
    private static final class NeverWritten extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
        }
    }

    @Test
    void aRefusalClosesWhenItsAnswerIsWrittenOrAfterTheCapWhenItNeverIs() {
        NeverWritten peer = new NeverWritten();
        EmbeddedChannel stalled = new EmbeddedChannel(peer, new ProtocolControlHandler(),
                new IngestSessionHandler(registry, IngestSettings.defaults(0)));
        try {
            stalled.freezeTime();
            stalled.writeInbound(Command.of("connect", 1, connectObject("vod")).encode(stalled.alloc(), 3, 0));
            assertEquals(1, peer.held.size(), "the _error is on its way");
            assertTrue(stalled.isOpen(), "not closed under the answer's write");
            assertFalse(stalled.config().isAutoRead(), "nothing more is read from a refused peer");

            stalled.writeInbound(Command.of("connect", 2, connectObject("live")).encode(stalled.alloc(), 3, 0));
            assertEquals(1, peer.held.size(), "what arrives after the refusal is not answered");

            stalled.advanceTimeBy(IngestSessionHandler.REFUSAL_CLOSE_CAP_MS - 1, TimeUnit.MILLISECONDS);
            stalled.runScheduledPendingTasks();
            assertTrue(stalled.isOpen());
            stalled.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            stalled.runScheduledPendingTasks();
            assertFalse(stalled.isOpen(), "a peer that never takes its answer is closed after the cap");
        } finally {
            peer.held.forEach(ReferenceCountUtil::release);
            stalled.finishAndReleaseAll();
        }
    }
}
