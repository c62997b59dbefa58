package io.streamhelper.relay.rtmp.ingest.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right before the SslHandler, on the raw TLS records a client sends: once the handshake is done,
 * only application data and alerts may come. A handshake record then is a TLS 1.2 renegotiation,
 * which the JDK's engine would serve (jdk.tls.rejectClientInitiatedRenegotiation is off by
 * default, and a JVM-wide switch): a full handshake on the event loop each time the client asks,
 * and no encoder ever asks. TLS 1.3 sends its post-handshake messages inside application data
 * records, so it passes. Such a connection is logged in one line and closed, before the engine
 * sees the record.
 *
 * <p>Before and after the handshake, a record header announcing more than TLS allows
 * ({@link #MAX_RECORD}) closes the connection at once, rather than the SslHandler waiting for
 * (and buffering) up to 64 KiB of it.
 *
 * <p>Only record headers are read (5 bytes, then the length they give is skipped): nothing is
 * copied or held but those 5 bytes, and the bytes go on to the SslHandler as they came. Records
 * that arrive in the same read as the client's Finished pass unchecked: the handshake is seen
 * done only once the SslHandler has read them, which bounds a pipelining client to one.
 */
public final class PostHandshakeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PostHandshakeGuard.class);
    private static final int HEADER = 5;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int ALERT = 21;
    private static final int HANDSHAKE = 22;
    private static final int APPLICATION_DATA = 23;
    private static final int HEARTBEAT = 24;
    /**
     * The most a TLS record may hold, 2^14 + 2048 (RFC 5246 6.2.3; TLS 1.3 allows less). The
     * length field goes to 65535, and the SslHandler buffers a whole announced record before it
     * looks: without this an unfinished handshake holds 64 KiB and more until its deadline.
     */
    static final int MAX_RECORD = (1 << 14) + 2048;

    private enum State { HEADER, BODY, REFUSED }

    private State state = State.HEADER;
    /** The header being read: byte 0 the content type, bytes 3-4 the length. */
    private final byte[] header = new byte[HEADER];
    private int headerRead;
    private int bodyLeft;
    /** Set by the SslHandler's handshake future, on this channel's event loop, as every other field here. */
    private boolean handshakeDone;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null) {
            ssl.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    handshakeDone();
                }
            });
        }
        ctx.fireChannelActive();
    }

    /** From here on only application data and alerts pass (package-private for the codec test). */
    void handshakeDone() {
        handshakeDone = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.REFUSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            String refused = scan(bytes);
            if (refused != null) {
                ReferenceCountUtil.release(msg);
                state = State.REFUSED;
                log.info("event=ingest_tls_failed remote={} reason={}", ctx.channel().remoteAddress(), refused);
                ctx.close();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Follows the record boundaries in {@code bytes} (not moving its reader index): why a record is refused, or null. */
    private String scan(ByteBuf bytes) {
        int i = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (i < end) {
            if (state == State.BODY) {
                int skip = Math.min(bodyLeft, end - i);
                i += skip;
                bodyLeft -= skip;
                if (bodyLeft == 0) {
                    state = State.HEADER;
                }
                continue;
            }
            header[headerRead++] = bytes.getByte(i++);
            if (headerRead < HEADER) {
                continue;
            }
            headerRead = 0;
            int type = header[0] & 0xff;
            if (handshakeDone && type != APPLICATION_DATA && type != ALERT) {
                return type == HANDSHAKE || type == CHANGE_CIPHER_SPEC ? "renegotiation" : "unexpected_record";
            }
            bodyLeft = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
            // Only what looks like TLS: anything else is the SslHandler's to call not_tls.
            boolean tls = type >= CHANGE_CIPHER_SPEC && type <= HEARTBEAT && header[1] == 3;
            if (tls && bodyLeft > MAX_RECORD) {
                return "record_too_large";
            }
            state = bodyLeft == 0 ? State.HEADER : State.BODY;
        }
        return null;
    }
}
