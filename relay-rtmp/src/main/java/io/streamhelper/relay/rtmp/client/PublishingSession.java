package io.streamhelper.relay.rtmp.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationRejectedException;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.media.FanOutScope;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import io.streamhelper.relay.rtmp.chunk.ChunkEncoder;
import io.streamhelper.relay.rtmp.chunk.PeerAcknowledged;
import io.streamhelper.relay.rtmp.chunk.PrechunkedMessage;
import io.streamhelper.relay.rtmp.handshake.HandshakeCompleted;
import io.streamhelper.relay.rtmp.message.ChunkStreamIds;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.rtmp.message.StatusObjects;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing connection to one destination, doing what real encoders do: Set Chunk Size,
 * connect (app, type, flashVer, tcUrl, swfUrl), releaseStream, FCPublish, createStream, then
 * publish(key, "live") on the stream id the server returned; live once the server answers
 * NetStream.Publish.Start. Ending sends FCUnpublish and deleteStream before closing, so platforms
 * end the broadcast instead of waiting in "disconnect protection".
 */
final class PublishingSession implements DestinationLink {
    private static final Logger log = LoggerFactory.getLogger(PublishingSession.class);
    static final String FLASH_VER = "FMLE/3.0 (compatible; StreamHelperRelay/0.1)";
    static final int OUT_CHUNK_SIZE = 4096;
    private static final int TID_CONNECT = 1;
    private static final int TID_RELEASE = 2;
    private static final int TID_FCPUBLISH = 3;
    private static final int TID_CREATE_STREAM = 4;
    private static final int TID_PUBLISH = 5;
    private static final int TID_FCUNPUBLISH = 6;
    private static final int TID_DELETE_STREAM = 7;
    /**
     * How long what is still queued for a destination we end (FCUnpublish and deleteStream last)
     * may take to leave before its connection is closed anyway. Below RelayServer's 3 s wait for
     * destinations at shutdown, so that every connection is closed through its pipeline.
     */
    static final Duration GOODBYE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long a close we asked for may take before it is logged as pending. Every close we make
     * completes in well under this on NIO (a TLS close_notify waits at most 500 ms); on io_uring a
     * close after a connection reset has been seen never to complete, and such a connection keeps
     * its descriptor and outgoing buffer for good: rare, but a leak, so operators must see it.
     */
    static final Duration CLOSE_PENDING_WARNING = Duration.ofSeconds(5);
    /** How often a live session asks its {@link AcknowledgementWatchdog} for a verdict. */
    static final Duration ACKNOWLEDGEMENT_CHECK = Duration.ofSeconds(1);

    /**
     * Where the conversation with the server is. Changed only by {@link #moveTo}, which checks
     * {@link #NEXT}; on the channel's event loop once there is a channel (before it, only the
     * thread that failed to start it).
     */
    enum State {
        /** TCP connect (and, for rtmps, TLS) under way. */
        DIALING,
        /** Connected; the RTMP handshake is under way. */
        HANDSHAKE,
        CONNECT_SENT,
        CREATE_STREAM_SENT,
        /** publish sent: a hang-up now is how many servers refuse a key. */
        PUBLISH_SENT,
        /** NetStream.Publish.Start heard: media flows. */
        LIVE,
        /** We asked to end it: the goodbye is leaving, then the connection closes. */
        UNPUBLISHING,
        /** Reported to the listener; nothing more happens but a close still pending. */
        CLOSED
    }

    private static final Map<State, Set<State>> NEXT = new EnumMap<>(State.class);

    static {
        NEXT.put(State.DIALING, EnumSet.of(State.HANDSHAKE, State.UNPUBLISHING, State.CLOSED));
        NEXT.put(State.HANDSHAKE, EnumSet.of(State.CONNECT_SENT, State.UNPUBLISHING, State.CLOSED));
        NEXT.put(State.CONNECT_SENT, EnumSet.of(State.CREATE_STREAM_SENT, State.UNPUBLISHING, State.CLOSED));
        NEXT.put(State.CREATE_STREAM_SENT, EnumSet.of(State.PUBLISH_SENT, State.UNPUBLISHING, State.CLOSED));
        NEXT.put(State.PUBLISH_SENT, EnumSet.of(State.LIVE, State.UNPUBLISHING, State.CLOSED));
        NEXT.put(State.LIVE, EnumSet.of(State.UNPUBLISHING, State.CLOSED));
        NEXT.put(State.UNPUBLISHING, EnumSet.of(State.CLOSED));
        NEXT.put(State.CLOSED, EnumSet.noneOf(State.class));
    }

    static boolean isLegal(State from, State to) {
        return NEXT.get(from).contains(to);
    }

    private final DestinationTarget target;
    private final Listener listener;
    private final Duration publishTimeout;
    private final Function<EventExecutor, Timers> timersFor;
    /** The enhanced-RTMP codecs this session will carry, announced in connect; empty: none. */
    private final List<String> fourCcList;
    private final AtomicLong bytesSent = new AtomicLong();
    private final AcknowledgementWatchdog watchdog = new AcknowledgementWatchdog();
    private volatile Channel channel;
    private volatile State state = State.DIALING;
    /** The first thing that went wrong, for the report; null while nothing has. */
    private volatile Throwable failure;
    private volatile int streamId;
    private volatile ChunkEncoder encoder;
    // The timers below are touched only on the channel's event loop.
    private Timers timers;
    private Timers.Cancellable publishDeadline;
    private Timers.Cancellable acknowledgementCheck;
    private Timers.Cancellable goodbye;
    private Timers.Cancellable closeWatch;

    PublishingSession(DestinationTarget target, Listener listener, Duration publishTimeout,
            Function<EventExecutor, Timers> timersFor) {
        this(target, listener, publishTimeout, timersFor, List.of());
    }

    PublishingSession(DestinationTarget target, Listener listener, Duration publishTimeout,
            Function<EventExecutor, Timers> timersFor, List<String> fourCcList) {
        this.target = target;
        this.listener = listener;
        this.publishTimeout = publishTimeout;
        this.timersFor = timersFor;
        this.fourCcList = List.copyOf(fourCcList);
    }

    /** The one place the state changes; a change {@link #NEXT} does not list is a bug and throws. */
    private void moveTo(State next) {
        State previous = state;
        if (!isLegal(previous, next)) {
            throw new IllegalStateException("illegal publishing session transition " + previous + " -> " + next);
        }
        state = next;
    }

    /** Moves on only from the state expected: an answer that comes out of turn is ignored. */
    private boolean advance(State expected, State next) {
        if (state != expected) {
            return false;
        }
        moveTo(next);
        return true;
    }

    /** The channel's own: from its handler, the channel may be active before {@link #attach} ran. */
    private Timers timers(Channel ch) {
        if (timers == null) {
            timers = timersFor.apply(ch.eventLoop());
        }
        return timers;
    }

    void attach(ChannelFuture connecting) {
        channel = connecting.channel();
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                reportClosed(f.cause());
                // NIO's socket closes itself when a connect fails; io_uring's stays open until
                // closed, which would leak a descriptor per refused retry.
                f.channel().close();
            }
        });
        channel.closeFuture().addListener(f -> {
            // The close completed: nothing is left to time, and no close is pending any more.
            cancelDetectionTimers();
            cancel(goodbye);
            cancel(closeWatch);
            if (state != State.UNPUBLISHING && failure == null && !connecting.isSuccess()) {
                // Never connected: the attempt's own failure says why (refused, unresolvable, an
                // address the policy forbids).
                connecting.addListener(c -> reportClosed(c.isSuccess()
                        ? new IOException("connection closed by the destination") : c.cause()));
                return;
            }
            reportClosed(state == State.UNPUBLISHING ? null
                    : failure != null ? failure
                    : state == State.PUBLISH_SENT
                            // nginx-rtmp (on_publish refusing), Twitch and others answer a bad key by hanging up.
                            ? DestinationRejectedException.hungUp("destination closed the connection in answer to publish")
                            : new IOException("connection closed by the destination"));
        });
    }

    /** The URL could not be parsed: nothing was dialled, so nothing remote is in the cause. */
    void failBeforeConnect(Throwable cause) {
        report(cause, false);
    }

    /** What the owner sees of the cause is in the relay's words ({@link DestinationErrors}). */
    private void reportClosed(Throwable cause) {
        report(cause, true);
    }

    /** Tells the listener once: from here the session is CLOSED, whatever its channel still does. */
    private void report(Throwable cause, boolean remote) {
        if (state == State.CLOSED) {
            return;
        }
        // Worded before the state changes: whatever happens in the wording, the listener is told.
        Throwable shown = remote ? DestinationErrors.shown(target, cause) : cause;
        moveTo(State.CLOSED);
        listener.onClosed(this, shown);
    }

    private static void cancel(Timers.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** The publish deadline and the acknowledgement check: they judge a connection still in use. */
    private void cancelDetectionTimers() {
        cancel(publishDeadline);
        publishDeadline = null;
        cancel(acknowledgementCheck);
        acknowledgementCheck = null;
    }

    @Override
    public void send(MediaMessage message) {
        write(message, true);
    }

    @Override
    public void queue(MediaMessage message) {
        write(message, false);
    }

    @Override
    public void flush() {
        Channel ch = channel;
        if (state == State.LIVE && ch != null) {
            ch.flush();
        }
    }

    private void write(MediaMessage message, boolean flush) {
        Channel ch = channel;
        if (state != State.LIVE || ch == null) {
            message.release();
            return;
        }
        FanOutScope scope = message.fanOutScope();
        RtmpMessage rtmp = toRtmp(message);
        Object out = scope == null ? rtmp : shareChunks(ch, rtmp, scope);
        if (flush) {
            ch.writeAndFlush(out, ch.voidPromise());
        } else {
            ch.write(out, ch.voidPromise());
        }
    }

    /**
     * Within a fan-out, audio and video are chunked once for every destination whose last message
     * on that chunk stream was the same number of milliseconds earlier (all of them, unless one
     * dropped frames or just joined): each then writes one shared buffer instead of building a
     * composite of its own. Only on the channel's own loop, where the encoder's state may be read.
     */
    private Object shareChunks(Channel ch, RtmpMessage rtmp, FanOutScope scope) {
        ChunkEncoder chunker = encoder;
        int type = rtmp.typeId();
        if (chunker == null || (type != MessageType.AUDIO && type != MessageType.VIDEO) || !ch.eventLoop().inEventLoop()) {
            return rtmp;
        }
        long delta = chunker.deltaFor(rtmp.chunkStreamId(), rtmp.messageStreamId(), rtmp.timestamp());
        if (delta < 0) {
            return rtmp;
        }
        SharedChunksKey key = new SharedChunksKey(rtmp.chunkStreamId(), type, delta, chunker.chunkSize());
        ByteBuf shared = scope.get(key);
        if (shared == null) {
            if (!scope.hasRoom()) {
                // Replayed from the GOP cache, or an odd framing no other destination shares:
                // chunk it like any other message rather than copy the payload for one reader.
                return rtmp;
            }
            shared = ChunkEncoder.chunkOnce(ch.alloc(), rtmp.chunkStreamId(), type, delta, chunker.chunkSize(), rtmp.content());
            scope.put(key, shared);
        }
        return new PrechunkedMessage(rtmp, shared.retainedDuplicate(), delta, key.chunkSize());
    }

    private record SharedChunksKey(int chunkStreamId, int typeId, long delta, int chunkSize) {
    }

    /** The connection's chunk encoder, whose framing state decides whether shared chunks fit. */
    void encoder(ChunkEncoder chunkEncoder) {
        this.encoder = chunkEncoder;
    }

    private RtmpMessage toRtmp(MediaMessage message) {
        long ts = message.timestamp();
        return switch (message.kind()) {
            case AUDIO -> new RtmpMessage(ChunkStreamIds.AUDIO, MessageType.AUDIO, streamId, ts, message.content());
            case VIDEO -> new RtmpMessage(ChunkStreamIds.VIDEO, MessageType.VIDEO, streamId, ts, message.content());
            case DATA -> new RtmpMessage(ChunkStreamIds.DATA, MessageType.DATA_AMF0, streamId, ts, message.content());
            case METADATA -> new RtmpMessage(ChunkStreamIds.DATA, MessageType.DATA_AMF0, streamId, ts,
                    withSetDataFrame(message.content()));
        };
    }

    /** Metadata is kept without "@setDataFrame"; publishing to a server needs it in front again. */
    private ByteBuf withSetDataFrame(ByteBuf metadata) {
        ByteBuf prefix = channel.alloc().buffer(16);
        Amf0Writer.write(prefix, "@setDataFrame");
        CompositeByteBuf both = channel.alloc().compositeBuffer(2);
        both.addComponent(true, prefix);
        both.addComponent(true, metadata);
        return both;
    }

    /** The connection, for tests that need to stand in for what a transport does to it. */
    Channel channel() {
        return channel;
    }

    @Override
    public boolean isWritable() {
        Channel ch = channel;
        return ch != null && ch.isWritable();
    }

    @Override
    public long bytesSent() {
        return bytesSent.get();
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch == null) {
            reportClosed(null); // never dialled: already reported, so this does nothing
            return;
        }
        ch.eventLoop().execute(() -> {
            if (state == State.UNPUBLISHING || state == State.CLOSED) {
                return; // idempotent; a failed session is already closing
            }
            boolean wasLive = state == State.LIVE;
            moveTo(State.UNPUBLISHING);
            cancelDetectionTimers();
            if (wasLive && ch.isActive()) {
                ch.write(Command.of("FCUnpublish", TID_FCUNPUBLISH, null, target.streamKey().reveal())
                        .encode(ch.alloc(), ChunkStreamIds.COMMAND, 0));
                ch.write(Command.of("deleteStream", TID_DELETE_STREAM, null, (double) streamId)
                        .encode(ch.alloc(), ChunkStreamIds.COMMAND, 0));
            }
            ChannelFuture flushed = ch.writeAndFlush(Unpooled.EMPTY_BUFFER);
            flushed.addListener(ChannelFutureListener.CLOSE);
            if (!flushed.isDone() && ch.isOpen()) {
                // A destination that stopped reading never takes what is queued for it: close it
                // anyway after a while, or its socket and buffers would stay open for good.
                // Cancelled when the close completes.
                goodbye = timers(ch).after(GOODBYE_TIMEOUT, ch::close);
            }
            watchClose(ch, GOODBYE_TIMEOUT.plus(CLOSE_PENDING_WARNING));
        });
    }

    @Override
    public void abort(Throwable reason) {
        Channel ch = channel;
        if (ch == null) {
            if (failure == null) {
                failure = reason;
            }
            reportClosed(reason);
            return;
        }
        onLoop(ch, () -> {
            if (failure == null) {
                failure = reason;
            }
            cancelDetectionTimers();
            ch.close();
            watchClose(ch, CLOSE_PENDING_WARNING);
        });
    }

    private static void onLoop(Channel ch, Runnable task) {
        if (ch.eventLoop().inEventLoop()) {
            task.run();
        } else {
            ch.eventLoop().execute(task);
        }
    }

    /** Logs the close as pending if the channel is still open after {@code patience}; once per session. */
    private void watchClose(Channel ch, Duration patience) {
        if (!ch.isOpen() || closeWatch != null) {
            return;
        }
        // Cancelled when the close completes (attach's close-future listener).
        closeWatch = timers(ch).after(patience, () -> {
            if (ch.isOpen()) {
                log.warn("event=destination_close_pending destination={} remote={} channel={} waited_ms={}"
                        + " reason=\"the transport has not completed the close; the connection keeps its socket and buffer\"",
                        target.id(), ch.remoteAddress(), ch.getClass().getSimpleName(), patience.toMillis());
            }
        });
    }

    /** Acknowledgements the destination has sent so far. */
    long acknowledgements() {
        return watchdog.acknowledgements();
    }

    ChannelHandler byteCounter() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof ByteBuf buf) {
                    bytesSent.addAndGet(buf.readableBytes());
                } else if (msg instanceof ByteBufHolder holder) {
                    bytesSent.addAndGet(holder.content().readableBytes());
                }
                ctx.write(msg, promise);
            }
        };
    }

    ChannelHandler handler(RtmpUrl url) {
        return new SessionHandler(url);
    }

    /** For tests, on the channel's loop: whether the watchdog would judge a long enough silence. */
    boolean sentBeyondRhythm() {
        return watchdog.beyondRhythm(bytesSent.get());
    }

    /** Where the session is, for tests. */
    State state() {
        return state;
    }

    /**
     * The command conversation with the server; runs on the channel's event loop. It detects and
     * reports (live, refused, failed); what to do about it is the listener's to decide.
     */
    private final class SessionHandler extends SimpleChannelInboundHandler<RtmpMessage> {
        private final RtmpUrl url;

        SessionHandler(RtmpUrl url) {
            this.url = url;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            advance(State.DIALING, State.HANDSHAKE);
            publishDeadline = timers(ctx.channel()).after(publishTimeout, () -> fail(ctx, new TimeoutException(
                    "no NetStream.Publish.Start within " + publishTimeout.toMillis() + " ms")));
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
                // The TLS layer closes the channel itself; keep why, for the relay's last error.
                fail(ctx, tls.cause());
            } else if (evt == PeerAcknowledged.INSTANCE) {
                watchdog.acknowledged(bytesSent.get(), timers(ctx.channel()).nanoTime());
                return;
            } else if (evt == HandshakeCompleted.INSTANCE && advance(State.HANDSHAKE, State.CONNECT_SENT)) {
                ctx.write(ProtocolControl.setChunkSize(ctx.alloc(), OUT_CHUNK_SIZE));
                // Asks the destination to acknowledge what it reads, for the watchdog.
                ctx.write(ProtocolControl.windowAckSize(ctx.alloc(), AcknowledgementWatchdog.WINDOW));
                Map<String, Object> properties = new LinkedHashMap<>();
                properties.put("app", url.app());
                properties.put("type", "nonprivate");
                properties.put("flashVer", FLASH_VER);
                properties.put("swfUrl", url.tcUrl());
                properties.put("tcUrl", url.tcUrl());
                if (!fourCcList.isEmpty()) {
                    // Enhanced RTMP: the codecs beyond legacy FLV this client will send, as a strict
                    // array of FourCC strings (what ffmpeg's -rtmp_enhanced_codecs writes). Left out
                    // for a legacy stream, so such a connect stays byte for byte what it was.
                    properties.put("fourCcList", fourCcList);
                    log.info("event=destination_announce destination={} fourcc_list={}", target.id(), String.join(",", fourCcList));
                }
                ctx.writeAndFlush(Command.of("connect", TID_CONNECT, properties)
                        .encode(ctx.alloc(), ChunkStreamIds.COMMAND, 0));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RtmpMessage message) {
            if (Command.isCommand(message)) {
                onCommand(ctx, Command.decode(message));
            }
        }

        private void onCommand(ChannelHandlerContext ctx, Command command) {
            int tid = (int) command.transactionId();
            switch (command.name()) {
                case "_result" -> onResult(ctx, tid, command);
                case "_error" -> onError(ctx, tid, command);
                case "onStatus" -> onStatus(ctx, command.objectArgument(1));
                case "close" -> fail(ctx, new IOException("destination sent close"));
                default -> {
                    // onBWDone, onFCPublish, |RtmpSampleAccess...: nothing to do.
                }
            }
        }

        private void onResult(ChannelHandlerContext ctx, int tid, Command command) {
            if (tid == TID_CONNECT && advance(State.CONNECT_SENT, State.CREATE_STREAM_SENT)) {
                String key = target.streamKey().reveal();
                ctx.write(Command.of("releaseStream", TID_RELEASE, null, key).encode(ctx.alloc(), ChunkStreamIds.COMMAND, 0));
                ctx.write(Command.of("FCPublish", TID_FCPUBLISH, null, key).encode(ctx.alloc(), ChunkStreamIds.COMMAND, 0));
                ctx.writeAndFlush(Command.of("createStream", TID_CREATE_STREAM, (Object) null)
                        .encode(ctx.alloc(), ChunkStreamIds.COMMAND, 0));
            } else if (tid == TID_CREATE_STREAM && state == State.CREATE_STREAM_SENT) {
                if (!(command.argument(1) instanceof Number id)) {
                    fail(ctx, new DestinationRejectedException("createStream answered without a stream id"));
                    return;
                }
                streamId = id.intValue();
                ctx.writeAndFlush(Command.of("publish", TID_PUBLISH, null, target.streamKey().reveal(), "live")
                        .encode(ctx.alloc(), ChunkStreamIds.STREAM_COMMAND, streamId));
                // After the write, as before: a connection that failed writing publish was lost,
                // not hung up on in answer to it (and is CLOSED already).
                advance(State.CREATE_STREAM_SENT, State.PUBLISH_SENT);
            }
        }

        private void onError(ChannelHandlerContext ctx, int tid, Command command) {
            // Servers differ on releaseStream / FCPublish (and _checkbw): an error there is harmless.
            if (tid == TID_CONNECT || tid == TID_CREATE_STREAM || tid == TID_PUBLISH) {
                String code = DestinationErrors.statusCode(StatusObjects.code(command.objectArgument(1)));
                fail(ctx, new DestinationRejectedException("destination refused "
                        + (tid == TID_CONNECT ? "connect" : tid == TID_CREATE_STREAM ? "createStream" : "publish")
                        + (code.isEmpty() ? "" : ": " + code)));
            }
        }

        private void onStatus(ChannelHandlerContext ctx, Map<String, Object> info) {
            String code = StatusObjects.code(info);
            if ("NetStream.Publish.Start".equals(code) && advance(State.PUBLISH_SENT, State.LIVE)) {
                cancelDetectionTimers();
                scheduleAcknowledgementCheck(ctx);
                listener.onLive(PublishingSession.this);
            } else if ("NetConnection.Connect.ReconnectRequest".equals(code)) {
                fail(ctx, new IOException("destination asked us to reconnect"));
            } else if ("error".equals(StatusObjects.level(info))) {
                fail(ctx, new DestinationRejectedException("destination answered "
                        + (code.isEmpty() ? "an error status" : DestinationErrors.statusCode(code))));
            }
        }

        /**
         * Closes the connection and reports it lost at once, not when the close completes: from
         * here on nothing more is written to it, and on io_uring a close can wait for good on an
         * operation the kernel never completes (seen in SoakTest: a destination killed, the read
         * failing, the close never finishing, and the destination "live" and silent for minutes).
         */
        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            // Here, not only when the close completes: a close that never completes must not leave
            // the watchdog ticking on a connection that is already given up.
            cancelDetectionTimers();
            boolean ours = state == State.UNPUBLISHING;
            ctx.close();
            watchClose(ctx.channel(), CLOSE_PENDING_WARNING);
            reportClosed(ours ? null : failure);
        }

        /** Every {@link #ACKNOWLEDGEMENT_CHECK} while live: has the destination stopped reading? */
        private void scheduleAcknowledgementCheck(ChannelHandlerContext ctx) {
            acknowledgementCheck = timers(ctx.channel()).after(ACKNOWLEDGEMENT_CHECK, () -> {
                acknowledgementCheck = null;
                if (state != State.LIVE) {
                    return;
                }
                String verdict = watchdog.verdict(bytesSent.get(), timers(ctx.channel()).nanoTime());
                if (verdict != null) {
                    fail(ctx, new TimeoutException(verdict));
                } else {
                    scheduleAcknowledgementCheck(ctx);
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancelDetectionTimers();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }
    }

    /**
     * The destination's id, its channel (id and addresses, no key) and, on a native transport, the
     * socket's descriptor: a test that finds a destination live on a dead peer can then ask the
     * kernel what that descriptor really is.
     */
    @Override
    public String toString() {
        Channel ch = channel;
        String socket = ch == null ? "not connected"
                : ch + (ch instanceof UnixChannel unix ? " fd=" + unix.fd().intValue() + (unix.fd().isOpen() ? "" : " (closed)") : "")
                        + (ch.isActive() ? " active" : ch.isOpen() ? " open" : " closed");
        return "PublishingSession(" + target.id() + " " + socket + ")";
    }
}
