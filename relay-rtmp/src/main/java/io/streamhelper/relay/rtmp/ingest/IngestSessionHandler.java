package io.streamhelper.relay.rtmp.ingest;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.amf.Amf0;
import io.streamhelper.relay.rtmp.chunk.ChunkDecoder;
import io.streamhelper.relay.rtmp.chunk.IngestLimitException;
import io.streamhelper.relay.rtmp.message.ChunkStreamIds;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.rtmp.message.StatusObjects;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publisher connection, as a small state machine: it waits for connect, answers the
 * commands encoders send before publishing, asks the {@link StreamRegistry} whether the key may
 * publish, and then hands every media message to the live stream. How the publish ends matters:
 * the streamer's stop (FCUnpublish, deleteStream, closeStream) ends the stream
 * ({@link Publication#end}); anything else (socket closed or reset, no media for the idle
 * timeout, malformed input) only loses this publisher ({@link Publication#lost}), and the stream
 * may wait for the encoder to come back.
 */
public final class IngestSessionHandler extends SimpleChannelInboundHandler<RtmpMessage> {
    private static final Logger log = LoggerFactory.getLogger(IngestSessionHandler.class);
    static final int WINDOW_ACK_SIZE = 2_500_000;
    static final int OUT_CHUNK_SIZE = 4096;
    /** How long a refused peer has to take its answer before its connection is closed anyway. */
    static final long REFUSAL_CLOSE_CAP_MS = 2_000;
    /** Longest application name echoed to the peer or logged (it is the client's text). */
    private static final int APP_SHOWN = 64;

    /** AUTHORIZING: publish received, the catalog is being asked off the event loop. */
    private enum State { AWAIT_CONNECT, CONNECTED, AUTHORIZING, PUBLISHING, CLOSED }

    private final StreamRegistry registry;
    private final IngestSettings settings;
    private final Consumer<Throwable> connectionErrors;
    private State state = State.AWAIT_CONNECT;
    /** The stream ids createStream handed out are 1..lastStreamId. */
    private int lastStreamId;
    private int publishStreamId;
    private Publication live;
    /** On the loop's ticker (System.nanoTime in the server), so tests can move the idle check's clock. */
    private long lastMediaNanos;
    private ScheduledFuture<?> idleCheck;
    /** Set once, when the registry grants a publish; the publish deadline looks at nothing else. */
    private boolean publishGranted;
    /**
     * Which publish the catalog is being asked about. Commands decoded in the same read as the
     * publish still arrive while it is asked (deleteStream, even another publish): an answer that
     * is not for the current question ends what it granted and is otherwise ignored.
     */
    private int authorization;
    /** The message stream of the publish being asked about, for an answer at the deadline. */
    private int askedStreamId;

    public IngestSessionHandler(StreamRegistry registry, IngestSettings settings) {
        this(registry, settings, error -> { });
    }

    /** {@code connectionErrors} is told of every exception that closes this connection. */
    public IngestSessionHandler(StreamRegistry registry, IngestSettings settings, Consumer<Throwable> connectionErrors) {
        this.registry = registry;
        this.settings = settings;
        this.connectionErrors = connectionErrors;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Handshake and connect must be done by the deadline: bytes dribbled one per second keep
        // a reader-idle timer happy forever, but never get a connection this far.
        long deadline = settings.connections().handshakeTimeout().toMillis();
        ctx.executor().schedule(() -> {
            if (state == State.AWAIT_CONNECT && ctx.channel().isActive()) {
                log.info("event=ingest_handshake_timeout remote={} timeout_ms={}", ctx.channel().remoteAddress(), deadline);
                state = State.CLOSED;
                ctx.close();
            }
        }, deadline, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RtmpMessage message) {
        if (state == State.CLOSED) {
            return; // refused: what the decoder still had in hand is dropped unprocessed
        }
        if (Command.isCommand(message)) {
            onCommand(ctx, Command.decode(message), message.messageStreamId());
        } else if (state == State.PUBLISHING && message.messageStreamId() == publishStreamId) {
            MediaMessage media = MediaMessages.toMedia(message);
            if (media != null) {
                lastMediaNanos = ctx.executor().ticker().nanoTime();
                if (media.kind() == MediaKind.METADATA) {
                    // Rare (once per publish, or when the encoder changes settings): worth parsing for stats.
                    live.announceFormat(MediaMessages.videoFormat(media));
                }
                live.publish(media);
            }
        }
        // Anything else (media before publish, AMF3 data, shared objects) is dropped.
    }

    private void onCommand(ChannelHandlerContext ctx, Command command, int messageStreamId) {
        switch (command.name()) {
            case "connect" -> onConnect(ctx, command);
            case "releaseStream", "FCPublish" -> answerResult(ctx, command);
            case "FCUnpublish" -> {
                // The streamer pressed Stop (OBS, ffmpeg send it before deleteStream): a clean end.
                answerResult(ctx, command);
                endPublish("publisher unpublished (FCUnpublish)");
            }
            case "createStream" -> {
                if (state != State.CONNECTED) {
                    callFailed(ctx, command, "createStream in state " + state);
                    return;
                }
                reply(ctx, Command.of("_result", command.transactionId(), null, (double) ++lastStreamId), ChunkStreamIds.COMMAND, 0);
            }
            case "publish" -> onPublish(ctx, command, messageStreamId);
            case "deleteStream", "closeStream" -> endPublish("publisher unpublished (" + command.name() + ")");
            default -> log.debug("event=ingest_command_ignored command={}", command.name());
        }
    }

    private static void answerResult(ChannelHandlerContext ctx, Command command) {
        if (command.transactionId() > 0) {
            reply(ctx, Command.of("_result", command.transactionId(), null, Amf0.UNDEFINED), ChunkStreamIds.COMMAND, 0);
        }
    }

    private void onConnect(ChannelHandlerContext ctx, Command command) {
        if (state != State.AWAIT_CONNECT) {
            callFailed(ctx, command, "connect sent twice");
            return;
        }
        Map<String, Object> properties = command.objectArgument(0);
        String app = properties.get("app") instanceof String s ? stripSlashes(s) : "";
        if (!settings.application().equals(app)) {
            String shown = printable(app);
            refuse(ctx, "unknown_application", " app=" + shown, Command.of("_error", command.transactionId(), null,
                    StatusObjects.status("error", "NetConnection.Connect.Rejected", "unknown application '" + shown + "'"))
                    .encode(ctx.alloc(), ChunkStreamIds.COMMAND, 0));
            return;
        }
        state = State.CONNECTED;
        schedulePublishDeadline(ctx);
        ctx.write(ProtocolControl.windowAckSize(ctx.alloc(), WINDOW_ACK_SIZE));
        ctx.write(ProtocolControl.setPeerBandwidth(ctx.alloc(), WINDOW_ACK_SIZE, ProtocolControl.LIMIT_DYNAMIC));
        ctx.write(ProtocolControl.setChunkSize(ctx.alloc(), OUT_CHUNK_SIZE));
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("fmsVer", "FMS/3,0,1,123");
        server.put("capabilities", 31.0);
        Map<String, Object> info = StatusObjects.status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        info.put("objectEncoding", properties.get("objectEncoding") instanceof Number n ? n.doubleValue() : 0.0);
        reply(ctx, Command.of("_result", command.transactionId(), server, info), ChunkStreamIds.COMMAND, 0);
    }

    /**
     * From connect to a granted publish: without it a client with no key, keeping the idle timer
     * happy with a few bytes now and then, could keep its connection and its buffers for ever. An
     * authorization still in flight at the deadline closes too; onPublishAnswered then ends the
     * stream if it is granted late.
     */
    private void schedulePublishDeadline(ChannelHandlerContext ctx) {
        long deadline = settings.publishDeadline().toMillis();
        ctx.executor().schedule(() -> {
            if (!publishGranted && state != State.CLOSED && ctx.channel().isActive()) {
                log.info("event=ingest_limit reason=publish_deadline remote={} timeout_ms={}", ctx.channel().remoteAddress(), deadline);
                if (state == State.AUTHORIZING) {
                    // The key is still being checked (a slow database): the encoder is told so,
                    // rather than seeing a dropped connection it would take for a network fault.
                    answerAndClose(ctx, Command.of("onStatus", 0, null, StatusObjects.status("error",
                            "NetStream.Publish.Failed", "the server is busy, try again"))
                            .encode(ctx.alloc(), ChunkStreamIds.STREAM_COMMAND, askedStreamId));
                } else {
                    state = State.CLOSED;
                    ctx.close();
                }
            }
        }, deadline, TimeUnit.MILLISECONDS);
    }

    /** {@code streamId} is the message stream the publish arrived on: the media will come on it. */
    private void onPublish(ChannelHandlerContext ctx, Command command, int streamId) {
        if (state == State.PUBLISHING || state == State.AUTHORIZING) {
            publishFailed(ctx, streamId, "publish sent twice on one connection");
            return;
        }
        if (state != State.CONNECTED) {
            publishFailed(ctx, streamId, "publish in state " + state);
            return;
        }
        if (streamId < 1 || streamId > lastStreamId) {
            publishFailed(ctx, streamId, "publish on stream " + streamId + ", which createStream did not open");
            return;
        }
        String name = command.stringArgument(1);
        String key = streamKey(name);
        // The catalog may be a database: asked off this loop, which carries other publishers and
        // their destinations. Nothing more is read from this client until it has its answer.
        state = State.AUTHORIZING;
        int asked = ++authorization;
        askedStreamId = streamId;
        ctx.channel().config().setAutoRead(false);
        registry.beginPublishAsync(key, ctx.channel().eventLoop(), hostAndPort(ctx.channel().remoteAddress()))
                .whenComplete((publication, error) -> {
                    try {
                        ctx.executor().execute(() -> onPublishAnswered(ctx, asked, streamId, publication, error));
                    } catch (RejectedExecutionException loopGone) {
                        if (publication != null) {
                            publication.end(); // shutting down: nobody is left to publish it
                        }
                    }
                });
    }

    private void onPublishAnswered(ChannelHandlerContext ctx, int asked, int streamId, Publication granted, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (state != State.AUTHORIZING || asked != authorization) {
            // The connection closed or unpublished while the catalog was asked, or asked again.
            if (granted != null) {
                if (state == State.CLOSED) {
                    granted.lost("connection closed while its publish was being let in");
                } else {
                    granted.end();
                }
            }
            if (state == State.CONNECTED && ctx.channel().isOpen()) {
                // Unpublished while asked: the client may go on (publish again, or close); its
                // publish deadline still bounds how long it may wait without a granted publish.
                ctx.channel().config().setAutoRead(true);
            }
            return;
        }
        if (cause instanceof PublishRejectedException rejected) {
            // The message names the reason only (never the key): safe for the publisher and the log.
            refuse(ctx, rejected.reason().name().toLowerCase(Locale.ROOT), "", Command.of("onStatus", 0, null,
                    StatusObjects.status("error", "NetStream.Publish.BadName", rejected.getMessage()))
                    .encode(ctx.alloc(), ChunkStreamIds.STREAM_COMMAND, streamId));
            return;
        }
        ctx.channel().config().setAutoRead(true);
        if (cause != null) {
            exceptionCaught(ctx, cause); // the catalog failed (database down): this connection closes
            return;
        }
        live = granted;
        state = State.PUBLISHING;
        publishStreamId = streamId;
        if (!publishGranted) {
            publishGranted = true;
            // The decoder's tight limits for a connection without a key end here.
            ChunkDecoder decoder = ctx.pipeline().get(ChunkDecoder.class);
            if (decoder != null) {
                decoder.publishGranted();
            }
        }
        live.onDisconnectRequest(() -> ctx.channel().close());
        lastMediaNanos = ctx.executor().ticker().nanoTime();
        log.info("event=publisher_live stream={} remote={}", live.stream().id(), ctx.channel().remoteAddress());
        ctx.write(ProtocolControl.userControl(ctx.alloc(), ProtocolControl.USER_STREAM_BEGIN, streamId));
        ctx.write(Command.of("onFCPublish", 0, null, StatusObjects.status("status", "NetStream.Publish.Start", "FCPublish"))
                .encode(ctx.alloc(), ChunkStreamIds.STREAM_COMMAND, streamId));
        reply(ctx, Command.of("onStatus", 0, null, StatusObjects.status("status", "NetStream.Publish.Start",
                "Start publishing")), ChunkStreamIds.STREAM_COMMAND, streamId);
        long period = Math.max(100, settings.idleTimeout().toMillis() / 4);
        idleCheck = ctx.executor().scheduleAtFixedRate(() -> checkMediaIdle(ctx), period, period, TimeUnit.MILLISECONDS);
    }

    /** The publish name is the key; a query string after it (Twitch's ?bandwidthtest=true) is not. */
    static String streamKey(String publishName) {
        if (publishName == null) {
            return "";
        }
        int query = publishName.indexOf('?');
        return query < 0 ? publishName : publishName.substring(0, query);
    }

    /** "203.0.113.7:51234" or "[2001:db8::7]:51234": an address an operator can look up, never a name lookup. */
    static String hostAndPort(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return address == null ? null : address.toString();
    }

    private static String stripSlashes(String app) {
        String s = app;
        int query = s.indexOf('?');
        if (query >= 0) {
            s = s.substring(0, query);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }

    private void checkMediaIdle(ChannelHandlerContext ctx) {
        if (state == State.PUBLISHING
                && ctx.executor().ticker().nanoTime() - lastMediaNanos > settings.idleTimeout().toNanos()) {
            log.info("event=publisher_idle stream={} timeout_ms={}", live.stream().id(), settings.idleTimeout().toMillis());
            losePublish("no media for " + settings.idleTimeout().toMillis() + " ms");
            ctx.close();
        }
    }

    /** A connection-level command out of order: {@code _error} to its transaction, then closed. */
    private void callFailed(ChannelHandlerContext ctx, Command command, String why) {
        refuse(ctx, "protocol_error", " error=\"" + why + "\"", Command.of("_error", command.transactionId(), null,
                StatusObjects.status("error", "NetConnection.Call.Failed", why)).encode(ctx.alloc(), ChunkStreamIds.COMMAND, 0));
    }

    /** A publish that breaks the protocol: an error onStatus on the stream it named, then closed. */
    private void publishFailed(ChannelHandlerContext ctx, int streamId, String why) {
        refuse(ctx, "protocol_error", " error=\"" + why + "\"", Command.of("onStatus", 0, null,
                StatusObjects.status("error", "NetStream.Failed", why)).encode(ctx.alloc(), ChunkStreamIds.STREAM_COMMAND, streamId));
    }

    /**
     * The one way this connection is refused with an answer. Nothing more is read from the peer;
     * the answer is flushed and the connection closes once the write is done: a close issued right
     * after the write would, on io_uring, shut the socket down under the still-queued write
     * (ShutdownBeforeClose) and the peer would read nothing. A peer that never takes the answer
     * is closed after {@link #REFUSAL_CLOSE_CAP_MS} all the same. One log line names the reason.
     */
    private void refuse(ChannelHandlerContext ctx, String reason, String details, RtmpMessage answer) {
        log.info("event=ingest_refused reason={}{} stream={} remote={}", reason, details, streamId(), ctx.channel().remoteAddress());
        // A refusal while publishing is a protocol error (publish twice, say): not the streamer's stop.
        losePublish("refused: " + reason);
        answerAndClose(ctx, answer);
    }

    /** Nothing more is read; the answer is written and the connection closes after it (or at the cap). */
    private void answerAndClose(ChannelHandlerContext ctx, RtmpMessage answer) {
        state = State.CLOSED;
        ctx.channel().config().setAutoRead(false);
        ScheduledFuture<?> cap = ctx.executor().schedule(() -> {
            ctx.channel().close();
        }, REFUSAL_CLOSE_CAP_MS, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(closed -> cap.cancel(false));
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /** The client's text as it may be echoed and logged: printable ASCII, at most APP_SHOWN characters. */
    static String printable(String text) {
        StringBuilder shown = new StringBuilder(Math.min(text.length(), APP_SHOWN));
        for (int i = 0; i < text.length() && shown.length() < APP_SHOWN; i++) {
            char c = text.charAt(i);
            shown.append(c > ' ' && c < 0x7F && c != '"' && c != '\'' ? c : '?');
        }
        return text.length() > APP_SHOWN ? shown + "..." : shown.toString();
    }

    private static void reply(ChannelHandlerContext ctx, Command command, int chunkStreamId, int messageStreamId) {
        ctx.writeAndFlush(command.encode(ctx.alloc(), chunkStreamId, messageStreamId));
    }

    /** The streamer stopped: the stream ends. */
    private void endPublish(String why) {
        Publication ending = leavePublishing();
        if (ending != null) {
            log.debug("event=publish_ending stream={} why=\"{}\"", ending.stream().id(), why);
            ending.end();
        }
    }

    /** This connection stops publishing without the streamer's stop: the stream may wait for the encoder to come back. */
    private void losePublish(String why) {
        Publication losing = leavePublishing();
        if (losing != null) {
            log.debug("event=publish_lost stream={} why=\"{}\"", losing.stream().id(), why);
            losing.lost(why);
        }
    }

    /** Back to CONNECTED (a publish being asked about is forgotten); returns the publication this connection held. */
    private Publication leavePublishing() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        Publication held = live;
        live = null;
        if (state == State.PUBLISHING || state == State.AUTHORIZING) {
            state = State.CONNECTED;
        }
        return held;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.info("event=ingest_idle stream={} remote={} state={}", streamId(), ctx.channel().remoteAddress(), state);
            losePublish("connection idle");
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        losePublish("connection closed");
        state = State.CLOSED;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Malformed input from one publisher closes that connection and nothing else. Decoder
        // messages never contain keys (they name sizes and types only).
        if (cause instanceof IngestLimitException limit) {
            log.info("event=ingest_limit reason={} stream={} remote={} error=\"{}\"", limit.reason(), streamId(),
                    ctx.channel().remoteAddress(), limit.getMessage());
        } else {
            log.info("event=ingest_connection_error stream={} remote={} error=\"{}\"", streamId(), ctx.channel().remoteAddress(),
                    cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        losePublish("connection error");
        state = State.CLOSED;
        ctx.close();
        connectionErrors.accept(cause);
    }

    /** The stream this connection publishes, for log lines; "-" before a publish is accepted. */
    private String streamId() {
        return live == null ? "-" : live.stream().id();
    }
}
