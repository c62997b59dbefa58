package io.streamhelper.relay.rtmp.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both ends of the handshake read first: the version byte (C0/S0), then 1536-byte packets. */
final class HandshakePackets {
    private static final Logger log = LoggerFactory.getLogger(HandshakePackets.class);

    static final int RTMP_VERSION = 3;
    static final int PACKET = HandshakeDigest.PACKET;

    private HandshakePackets() {
    }

    /**
     * Checks the version byte at the reader index (which must be readable) without consuming it.
     * A wrong version is rejected at once, before waiting for a whole packet, since it is usually
     * TLS or HTTP on an RTMP port: the input is dropped, a {@link HandshakeException} goes down the
     * pipeline and the channel is closed. Returns whether the version was right.
     */
    static boolean checkVersion(ChannelHandlerContext ctx, ByteBuf in, String peer) {
        int version = in.getUnsignedByte(in.readerIndex());
        if (version == RTMP_VERSION) {
            return true;
        }
        in.skipBytes(in.readableBytes());
        String message = String.format("%s is not speaking RTMP: first byte 0x%02x%s", peer, version, guess(version));
        log.debug("event=rtmp_handshake_rejected remote={} reason=\"{}\"", ctx.channel().remoteAddress(), message);
        ctx.fireExceptionCaught(new HandshakeException(message));
        ctx.close();
        return false;
    }

    private static String guess(int version) {
        if (version == 0x16) {
            return " (a TLS ClientHello: rtmps:// to a plain RTMP port?)";
        }
        if (version == 6 || version == 8 || version == 9) {
            return " (encrypted RTMPE, not supported)";
        }
        if (version >= 'A' && version <= 'Z') {
            return " (HTTP?)";
        }
        return "";
    }
}
