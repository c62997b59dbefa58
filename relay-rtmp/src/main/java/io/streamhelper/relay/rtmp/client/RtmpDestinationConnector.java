package io.streamhelper.relay.rtmp.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.rtmp.chunk.ChunkDecoder;
import io.streamhelper.relay.rtmp.chunk.ChunkEncoder;
import io.streamhelper.relay.rtmp.chunk.ProtocolControlHandler;
import io.streamhelper.relay.rtmp.handshake.ClientHandshakeHandler;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.netty.resolver.AddressResolverGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SSLEngine;
import java.util.function.Function;
import javax.net.ssl.SSLParameters;

/**
 * Publishes to destinations over RTMP and RTMPS (TLS with SNI, certificate and host-name
 * verification against the system trust store plus {@link ClientSettings#trustedCaFile()}).
 * One Netty channel per destination; the pipeline is TLS (for rtmps), byte counter, handshake
 * (removes itself), chunk codec, protocol control, and the publishing session.
 */
public final class RtmpDestinationConnector implements DestinationConnector {
    /** How long closing an RTMPS destination waits for its TLS close_notify to be written. */
    private static final long CLOSE_NOTIFY_TIMEOUT_MS = 500;
    private final EventLoopGroup group;
    private final ClientSettings settings;
    private final SslContext sslContext;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final Function<EventExecutor, Timers> timers;

    public RtmpDestinationConnector(EventLoopGroup group, ClientSettings settings) {
        this(group, settings, Timers::on);
    }

    /**
     * With the timers every session (publish timeout, acknowledgement check, goodbye, close watch)
     * and every supervisor using this connector runs on, given the event loop they belong to: the
     * server uses {@link Timers#on}; tests pass virtual time.
     */
    public RtmpDestinationConnector(EventLoopGroup group, ClientSettings settings, Function<EventExecutor, Timers> timers) {
        this.group = group;
        this.settings = settings;
        this.timers = timers;
        this.resolver = PolicyCheckingResolver.group(settings.addressPolicy());
        try {
            this.sslContext = SslContextBuilder.forClient()
                    .trustManager(TrustManagers.systemPlus(settings.trustedCaFile()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS trust: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trusted CA file", e);
        }
    }

    @Override
    public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
        return connect(target, null, listener);
    }

    /**
     * When the sender is an event loop of this connector's transport (the publisher's), the
     * destination's channel is registered on it: every tag is then written in the thread that read
     * it, with no task queued and no other thread woken per tag and destination, the way nginx's
     * single worker does it.
     */
    @Override
    public DestinationLink connect(DestinationTarget target, EventExecutor sender, DestinationLink.Listener listener) {
        return connect(target, sender, List.of(), listener);
    }

    /** The same, announcing {@code fourCcList} in connect (enhanced RTMP) when it is not empty. */
    @Override
    public DestinationLink connect(DestinationTarget target, EventExecutor sender, List<String> fourCcList,
            DestinationLink.Listener listener) {
        Transport transport = Transport.of(group);
        EventLoopGroup loop = transport.canRegisterOn(sender) ? (EventLoopGroup) sender : group;
        PublishingSession session = new PublishingSession(target, listener, settings.publishTimeout(), timers, fourCcList);
        RtmpUrl url;
        try {
            url = RtmpUrl.parse(target.url());
        } catch (IllegalArgumentException e) {
            session.failBeforeConnect(e);
            return session;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.SO_SNDBUF, settings.socketSendBuffer())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeBufferLowMark(), settings.writeBufferHighMark()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Transport.prepare(ch);
                        if (url.secure()) {
                            ch.pipeline().addLast("tls", tlsHandler(ch, url));
                        }
                        ch.pipeline().addLast("bytes", session.byteCounter());
                        ch.pipeline().addLast("handshake", new ClientHandshakeHandler());
                        ch.pipeline().addLast("chunkDecoder", new ChunkDecoder());
                        ChunkEncoder encoder = new ChunkEncoder();
                        session.encoder(encoder);
                        ch.pipeline().addLast("chunkEncoder", encoder);
                        ch.pipeline().addLast("control", new ProtocolControlHandler());
                        ch.pipeline().addLast("session", session.handler(url));
                    }
                });
        session.attach(bootstrap.connect(url.host(), url.port()));
        return session;
    }

    @Override
    public Timers timers(EventExecutor executor) {
        return timers.apply(executor);
    }

    private SslHandler tlsHandler(Channel ch, RtmpUrl url) {
        // Giving the peer host makes the engine send SNI; HTTPS endpoint identification checks the
        // certificate's names against it, which the TLS layer otherwise leaves to the application.
        SslHandler handler = sslContext.newHandler(ch.alloc(), url.host(), url.port());
        // A close waits this long for close_notify to leave (Netty's default: 3 s). Ending a
        // destination already gave its last messages 2 s (PublishingSession.GOODBYE_TIMEOUT); a
        // peer that took nothing in those will not take close_notify either.
        handler.setCloseNotifyFlushTimeoutMillis(CLOSE_NOTIFY_TIMEOUT_MS);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }
}
