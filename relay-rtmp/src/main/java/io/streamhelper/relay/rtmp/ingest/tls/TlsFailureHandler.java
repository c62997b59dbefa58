package io.streamhelper.relay.rtmp.ingest.tls;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the SslHandler: a connection whose bytes are not TLS (a plain RTMP client on the
 * RTMPS port, a scanner) or whose TLS handshake fails or is too slow is logged in one short line
 * and closed, as is one whose records stop making sense after the handshake. Only that
 * connection: the exception goes no further. The JDK's and Netty's messages are not logged as
 * they are, since {@link NotSslRecordException}'s holds a hex dump of the bytes.
 */
@Sharable
public final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
    public static final TlsFailureHandler INSTANCE = new TlsFailureHandler();
    private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

    private TlsFailureHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        String reason = reason(cause, ssl != null && ssl.handshakeFuture().isSuccess());
        if (reason == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.info("event=ingest_tls_failed remote={} reason={}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    /**
     * A short name for a TLS failure, or null when {@code cause} is not one. After a complete
     * handshake an SSLException is a record that does not belong to the session (forged,
     * damaged, cut), not a failed handshake: an operator looking for clients with the wrong
     * TLS set-up should not find these among them.
     */
    static String reason(Throwable cause, boolean handshakeDone) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "not_tls";
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return "handshake_timeout";
            }
            if (t instanceof SSLException) {
                return handshakeDone ? "bad_record" : "handshake_failed";
            }
        }
        return null;
    }
}
