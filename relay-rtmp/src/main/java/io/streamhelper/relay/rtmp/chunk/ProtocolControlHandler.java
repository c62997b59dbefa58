package io.streamhelper.relay.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;

/**
 * Answers the protocol-level chatter both ends of a connection need, so sessions only see
 * commands and media: Acknowledgements once the window the peer asked for is reached, Ping
 * Response to Ping Request. Protocol control messages end here (Set Chunk Size and Abort were
 * already applied by the {@link ChunkDecoder}); everything else passes on.
 *
 * <p>Flow control is never built on the peer's acknowledgement values: they wrap at 2^32 and some
 * servers (YouTube) send fixed increments. Their arrival is passed on as {@link PeerAcknowledged}.
 */
public final class ProtocolControlHandler extends ChannelInboundHandlerAdapter {
    private long windowAckSize = Long.MAX_VALUE;
    private long lastAcknowledged;
    private long peerBandwidth;

    public long peerBandwidth() {
        return peerBandwidth;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        acknowledgeIfDue(ctx);
        if (!MessageType.isProtocolControl(message.typeId())) {
            ctx.fireChannelRead(message);
            return;
        }
        try {
            ByteBuf p = message.content();
            switch (message.typeId()) {
                case MessageType.WINDOW_ACK_SIZE -> {
                    if (p.readableBytes() >= 4) {
                        windowAckSize = Math.max(1, p.getUnsignedInt(p.readerIndex()));
                    }
                }
                case MessageType.SET_PEER_BANDWIDTH -> {
                    if (p.readableBytes() >= 4) {
                        peerBandwidth = p.getUnsignedInt(p.readerIndex());
                    }
                }
                case MessageType.USER_CONTROL -> {
                    if (p.readableBytes() >= 6 && p.getUnsignedShort(p.readerIndex()) == ProtocolControl.USER_PING_REQUEST) {
                        ctx.writeAndFlush(ProtocolControl.userControl(ctx.alloc(), ProtocolControl.USER_PING_RESPONSE,
                                p.getInt(p.readerIndex() + 2)));
                    }
                }
                case MessageType.ACKNOWLEDGEMENT -> ctx.fireUserEventTriggered(PeerAcknowledged.INSTANCE);
                default -> {
                    // Set Chunk Size and Abort: applied by the decoder.
                }
            }
        } finally {
            message.release();
        }
    }

    private void acknowledgeIfDue(ChannelHandlerContext ctx) {
        ChunkDecoder decoder = ctx.pipeline().get(ChunkDecoder.class);
        if (decoder == null || windowAckSize == Long.MAX_VALUE) {
            return;
        }
        long received = decoder.bytesReceived();
        if (received - lastAcknowledged >= windowAckSize) {
            lastAcknowledged = received;
            ctx.writeAndFlush(ProtocolControl.acknowledgement(ctx.alloc(), received & 0xFFFFFFFFL));
        }
    }
}
