package io.streamhelper.relay.rtmp.ingest.tls;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the SslHandler: a connection whose bytes are not TLS (a plain RTMP client on the
 * RTMPS port, a scanner) or whose TLS handshake fails or is too slow is logged in one short line
 * and closed. Only that connection: the exception goes no further. The JDK's and Netty's messages
 * are not logged as they are, since {@link NotSslRecordException}'s holds a hex dump of the bytes.
 */
@Sharable
public final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
    public static final TlsFailureHandler INSTANCE = new TlsFailureHandler();
    private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

    private TlsFailureHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String reason = reason(cause);
        if (reason == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.info("event=ingest_tls_failed remote={} reason={}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    /** A short name for a TLS failure, or null when {@code cause} is not one. */
    static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "not_tls";
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return "handshake_timeout";
            }
            if (t instanceof SSLException) {
                return "handshake_failed";
            }
        }
        return null;
    }
}
