package io.streamhelper.relay.rtmp.transport;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/**
 * Makes {@code close()} close an io_uring channel even while a write of it is stuck in the kernel.
 *
 * <p>Netty's io_uring transport defers a close until the channel's in-flight write completes, and a
 * write to a peer that accepted the connection but never reads never completes: the channel, its
 * buffers and, at shutdown, the whole event loop would wait for it forever. Shutting the socket
 * down first makes the kernel fail that write at once (EPIPE), and the deferred close follows in the
 * same loop iteration. Nothing is lost that a NIO close would have kept: bytes already in the
 * socket's send buffer still go out before the FIN, and bytes not yet handed to the kernel are
 * dropped by either transport's close.
 *
 * <p>On io_uring a flushed write is handed to the kernel asynchronously, so a close issued right
 * after {@code writeAndFlush} fails that write here, where NIO would already have written it. A
 * handler whose last words must arrive (the ingest's refusals) closes when the write completes,
 * with a cap of its own for a peer that never reads; this guard stays for every other close.
 *
 * <p>It must sit first in the pipeline, so that a close from any handler after it (TLS's close
 * after close_notify included) passes through it.
 */
@Sharable
final class ShutdownBeforeClose extends ChannelOutboundHandlerAdapter {
    static final ShutdownBeforeClose INSTANCE = new ShutdownBeforeClose();

    private ShutdownBeforeClose() {
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        if (ctx.channel().isOpen() && ctx.channel() instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            try {
                socket.shutdown();
            } catch (IOException notConnected) {
                // Never connected or already reset: no write can be waiting on the peer.
            }
        }
        ctx.close(promise);
    }
}
