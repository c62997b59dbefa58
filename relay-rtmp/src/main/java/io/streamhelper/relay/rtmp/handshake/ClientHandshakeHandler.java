package io.streamhelper.relay.rtmp.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The destination side of the RTMP handshake: sends C0+C1 (plain, version zero) when the
 * connection is up, answers S1 with C2 as soon as S0+S1 are in, waits for S2, then fires
 * {@link HandshakeCompleted} and removes itself. S1 and S2 are never validated: YouTube's S1
 * carries version 0x04000001 and no digest a client could find, and publishing does not need it.
 */
public final class ClientHandshakeHandler extends ByteToMessageDecoder {
    private static final int RTMP_VERSION = HandshakePackets.RTMP_VERSION;
    private static final int PACKET = HandshakePackets.PACKET;

    private enum State { READ_S0S1, READ_S2, DONE }

    private State state = State.READ_S0S1;

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        byte[] c1 = new byte[PACKET];
        ThreadLocalRandom.current().nextBytes(c1);
        for (int i = 0; i < 8; i++) {
            c1[i] = 0; // time 0 and version 0: the plain handshake every server accepts
        }
        ByteBuf c0c1 = ctx.alloc().buffer(1 + PACKET).writeByte(RTMP_VERSION).writeBytes(c1);
        ctx.writeAndFlush(c0c1);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_S0S1 -> {
                if (!HandshakePackets.versionAndPacketReady(in, "destination")) {
                    return;
                }
                ctx.writeAndFlush(in.readRetainedSlice(PACKET)); // C2 echoes S1
                state = State.READ_S2;
            }
            case READ_S2 -> {
                if (in.readableBytes() < PACKET) {
                    return;
                }
                in.skipBytes(PACKET);
                state = State.DONE;
                ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
                ctx.pipeline().remove(this);
            }
            case DONE -> in.skipBytes(in.readableBytes());
        }
    }
}
