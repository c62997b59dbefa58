package io.streamhelper.relay.rtmp.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The destination side of the RTMP handshake: sends C0+C1 (plain, version zero) when the
 * connection is up, answers S1 with C2 as soon as S0+S1 are in, waits for S2, then fires
 * {@link HandshakeCompleted} and removes itself, handing anything that followed S2 to the next
 * handler. S1 and S2 are never validated: YouTube's S1 carries version 0x04000001 and no digest a
 * client could find, and publishing does not need it.
 *
 * <p>An S0 other than 3 fires a {@link HandshakeException} down the pipeline and closes the channel.
 */
public final class ClientHandshakeHandler extends ByteToMessageDecoder {
    private static final int RTMP_VERSION = HandshakePackets.RTMP_VERSION;
    private static final int PACKET = HandshakePackets.PACKET;

    private enum State { READ_S0S1, READ_S2, FINISHED }

    private State state = State.READ_S0S1;
    private boolean c0c1Sent;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            sendC0C1(ctx); // added to a channel that is already connected: channelActive will not come
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        sendC0C1(ctx);
        super.channelActive(ctx);
    }

    private void sendC0C1(ChannelHandlerContext ctx) {
        if (c0c1Sent) {
            return;
        }
        c0c1Sent = true;
        byte[] c1 = new byte[PACKET];
        ThreadLocalRandom.current().nextBytes(c1);
        for (int i = 0; i < 8; i++) {
            c1[i] = 0; // time 0 and version 0: the plain handshake every server accepts
        }
        ByteBuf c0c1 = ctx.alloc().buffer(1 + PACKET).writeByte(RTMP_VERSION).writeBytes(c1);
        ctx.writeAndFlush(c0c1);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_S0S1 -> {
                if (!in.isReadable()) {
                    return;
                }
                if (!HandshakePackets.checkVersion(ctx, in, "destination")) {
                    state = State.FINISHED;
                    return;
                }
                if (in.readableBytes() < 1 + PACKET) {
                    return;
                }
                in.skipBytes(1);
                // C2 echoes S1; sent now rather than after S2, for servers that wait for it.
                ctx.writeAndFlush(ctx.alloc().buffer(PACKET).writeBytes(in, PACKET));
                state = State.READ_S2;
            }
            case READ_S2 -> {
                if (in.readableBytes() < PACKET) {
                    return;
                }
                in.skipBytes(PACKET);
                state = State.FINISHED;
                ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
                // ByteToMessageDecoder hands what is left of the input to the next handler.
                ctx.pipeline().remove(this);
            }
            case FINISHED -> in.skipBytes(in.readableBytes()); // rejected: the channel is closing
        }
    }
}
