package io.streamhelper.relay.rtmp.ingest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.chunk.ChunkDecoder;
import io.streamhelper.relay.rtmp.chunk.ChunkEncoder;
import io.streamhelper.relay.rtmp.chunk.MessageBufferBudget;
import io.streamhelper.relay.rtmp.chunk.ProtocolControlHandler;
import io.streamhelper.relay.rtmp.handshake.ServerHandshakeHandler;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.rtmp.ingest.tls.IngestTls;
import io.streamhelper.relay.rtmp.ingest.tls.PostHandshakeGuard;
import io.streamhelper.relay.rtmp.ingest.tls.TlsFailureHandler;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTMP ingest: where OBS and ffmpeg publish {@code rtmp://host:port/live/<stream key>}, and,
 * when given a certificate ({@link #withTls}), {@code rtmps://host:tlsPort/live/<stream key>}.
 * Each connection gets: connection limits, TLS on the RTMPS port (without renegotiation), idle
 * timeout, handshake (removes itself), chunk codec, protocol control, and the session state machine. Both ports share the
 * limits, the buffer budget and the settings: TLS changes the bytes' wrapping, nothing after it.
 */
public final class IngestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestServer.class);

    private final IngestSettings settings;
    private final StreamRegistry registry;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ConnectionLimiter limiter;
    /** Shared by every connection's chunk decoder: bytes of messages in assembly, server-wide. */
    private final MessageBufferBudget budget;
    /** Open ingest connections, so that shutdown closes each through its pipeline (see closeConnections). */
    private final ChannelGroup connections = new DefaultChannelGroup("ingest", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;
    private boolean plain = true;
    private IngestTls tls;
    private int tlsPort;
    private Channel tlsChannel;

    public IngestServer(IngestSettings settings, StreamRegistry registry, EventLoopGroup acceptors, EventLoopGroup workers) {
        this.settings = settings;
        this.registry = registry;
        this.acceptors = acceptors;
        this.workers = workers;
        this.limiter = new ConnectionLimiter(settings.connections());
        this.budget = new MessageBufferBudget(settings.buffers().budgetBytes());
    }

    /** Bytes the ingest's connections hold right now in messages still being assembled. */
    public long bufferedBytes() {
        return budget.reserved();
    }

    /** Ingest connections open right now (publishers and anything else that connected). */
    public int openConnections() {
        return limiter.open();
    }

    /** Before {@link #start}: also listen for RTMPS on {@code port} (0 = a free one), with {@code tls}'s current certificate. */
    public IngestServer withTls(int port, IngestTls tls) {
        this.tlsPort = port;
        this.tls = tls;
        return this;
    }

    /** Before {@link #start}: no plain RTMP port, RTMPS only (only with {@link #withTls}). */
    public IngestServer withoutPlainRtmp() {
        this.plain = false;
        return this;
    }

    public IngestServer start() throws InterruptedException {
        if (!plain && tls == null) {
            throw new IllegalStateException("an ingest without plain RTMP needs RTMPS");
        }
        if (plain) {
            serverChannel = bind(settings.port(), null);
            log.info("event=ingest_listening address={} application={} protocol=rtmp", serverChannel.localAddress(),
                    settings.application());
        }
        if (tls != null) {
            try {
                tlsChannel = bind(tlsPort, tls);
            } catch (RuntimeException | InterruptedException e) {
                close(); // the plain port, bound already, goes with the failed start
                throw e;
            }
            log.info("event=ingest_listening address={} application={} protocol=rtmps", tlsChannel.localAddress(),
                    settings.application());
        }
        return this;
    }

    private Channel bind(int port, IngestTls withTls) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(Transport.of(workers).serverChannel())
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Transport.prepare(ch);
                        connections.add(ch);
                        ch.pipeline().addLast("limits", limiter);
                        if (withTls != null) {
                            // After the limits, so a refused connection costs no TLS handshake; its
                            // deadline is the session's handshake deadline, which starts at accept.
                            ch.pipeline().addLast("tlsRecords", new PostHandshakeGuard()); // no renegotiation
                            ch.pipeline().addLast("tls", withTls.newHandler(ch.alloc(), settings.connections().handshakeTimeout()));
                            ch.pipeline().addLast("tlsFailures", TlsFailureHandler.INSTANCE);
                        }
                        addProtocolHandlers(ch.pipeline(), settings, registry, budget, error -> { });
                    }
                });
        return bootstrap.bind(settings.bindAddress(), port).sync().channel();
    }

    /**
     * Everything an ingest connection runs after the connection limits: idle timeout, handshake
     * (removes itself), chunk codec, protocol control and the session. Public so that the fuzz
     * tests drive exactly this pipeline; {@code connectionErrors} sees every exception that closed
     * a connection (the server ignores it, tests check its type).
     */
    public static void addProtocolHandlers(ChannelPipeline pipeline, IngestSettings settings, StreamRegistry registry,
            Consumer<Throwable> connectionErrors) {
        addProtocolHandlers(pipeline, settings, registry, new MessageBufferBudget(settings.buffers().budgetBytes()),
                connectionErrors);
    }

    /** As above, with the server-wide {@code budget} for partial messages that the connection shares. */
    public static void addProtocolHandlers(ChannelPipeline pipeline, IngestSettings settings, StreamRegistry registry,
            MessageBufferBudget budget, Consumer<Throwable> connectionErrors) {
        pipeline.addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("handshake", new ServerHandshakeHandler());
        pipeline.addLast("chunkDecoder", new ChunkDecoder(settings.limits(), settings.buffers(), budget));
        pipeline.addLast("chunkEncoder", new ChunkEncoder());
        pipeline.addLast("control", new ProtocolControlHandler());
        pipeline.addLast("session", new IngestSessionHandler(registry, settings, connectionErrors));
    }

    /** The plain RTMP port; there is none with {@link #withoutPlainRtmp}. */
    public int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("plain RTMP is off");
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Whether plain RTMP listens. */
    public boolean plainRtmp() {
        return serverChannel != null;
    }

    /** The RTMPS port, if RTMPS listens. */
    public OptionalInt tlsPort() {
        return tlsChannel == null ? OptionalInt.empty() : OptionalInt.of(((InetSocketAddress) tlsChannel.localAddress()).getPort());
    }

    /**
     * Closes every ingest connection still open. An event loop that shuts down closes its channels
     * itself, but past their pipelines, and on io_uring such a close can wait forever for a write
     * the peer never reads; closing them here first goes through {@link Transport#prepare}'s guard.
     */
    public void closeConnections() {
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** Stops accepting; connections already open stay open until {@link #closeConnections()}. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
    }
}
