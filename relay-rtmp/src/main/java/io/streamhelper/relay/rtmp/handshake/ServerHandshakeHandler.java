package io.streamhelper.relay.rtmp.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * The ingest side of the RTMP handshake, in the manner of Netty's HAProxyMessageDecoder: it
 * answers C0+C1 with S0+S1+S2, waits for C2, fires {@link HandshakeCompleted} and removes itself;
 * whatever followed C2 in the same read (often the first chunks of connect) goes on to the next
 * handler.
 *
 * <p>OBS sends the plain handshake (C1 version zero): S2 echoes C1. ffmpeg sends the digest
 * handshake: S1 and S2 carry the server digests. A non-zero version without a findable digest
 * gets the echo too, as nginx-rtmp does; publishers accept it. C2 is read but not checked:
 * clients differ in what they put there.
 *
 * <p>A first byte other than 3 (TLS, HTTP, RTMPE) fires a {@link HandshakeException} down the
 * pipeline and closes the channel.
 */
public final class ServerHandshakeHandler extends ByteToMessageDecoder {
    private static final int RTMP_VERSION = HandshakePackets.RTMP_VERSION;
    private static final int PACKET = HandshakePackets.PACKET;
    /** The version S1 announces in the digest handshake; ffmpeg checks S1/S2 only when it is 3 or more. */
    private static final byte[] SERVER_VERSION = {4, 5, 0, 1};
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { READ_C0C1, READ_C2, FINISHED }

    private State state = State.READ_C0C1;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_C0C1 -> {
                if (!in.isReadable()) {
                    return;
                }
                if (!HandshakePackets.checkVersion(ctx, in, "peer")) {
                    state = State.FINISHED;
                    return;
                }
                if (in.readableBytes() < 1 + PACKET) {
                    return;
                }
                in.skipBytes(1);
                byte[] c1 = new byte[PACKET];
                in.readBytes(c1);
                ByteBuf reply = ctx.alloc().buffer(1 + 2 * PACKET);
                reply.writeByte(RTMP_VERSION);
                reply.writeBytes(serverPackets(c1));
                ctx.writeAndFlush(reply);
                state = State.READ_C2;
            }
            case READ_C2 -> {
                if (in.readableBytes() < PACKET) {
                    return;
                }
                in.skipBytes(PACKET); // C2 is not checked: clients differ in what they echo
                state = State.FINISHED;
                ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
                // ByteToMessageDecoder hands what is left of the input to the next handler.
                ctx.pipeline().remove(this);
            }
            case FINISHED -> in.skipBytes(in.readableBytes()); // rejected: the channel is closing
        }
    }

    /** S1 followed by S2, for the given C1. */
    static byte[] serverPackets(byte[] c1) {
        byte[] s1 = new byte[PACKET];
        byte[] s2;
        RANDOM.nextBytes(s1);
        boolean clientHasVersion = c1[4] != 0 || c1[5] != 0 || c1[6] != 0 || c1[7] != 0;
        HandshakeDigest.Scheme scheme = clientHasVersion ? HandshakeDigest.findClientDigest(c1) : null;
        if (scheme == null) {
            Arrays.fill(s1, 0, 8, (byte) 0); // time 0, zero version: the plain handshake
            s2 = c1.clone();
        } else {
            Arrays.fill(s1, 0, 4, (byte) 0);
            System.arraycopy(SERVER_VERSION, 0, s1, 4, 4);
            HandshakeDigest.sign(s1, scheme, HandshakeDigest.SERVER_KEY);
            int position = scheme.digestPosition(c1);
            byte[] clientDigest = Arrays.copyOfRange(c1, position, position + HandshakeDigest.DIGEST);
            s2 = new byte[PACKET];
            RANDOM.nextBytes(s2);
            HandshakeDigest.signResponse(s2, clientDigest, HandshakeDigest.SERVER_KEY_FULL);
        }
        byte[] both = Arrays.copyOf(s1, 2 * PACKET);
        System.arraycopy(s2, 0, both, PACKET, PACKET);
        return both;
    }
}
