package io.streamhelper.relay.rtmp.handshake;

import io.netty.buffer.ByteBuf;

/** What both ends of the handshake read first: the version byte (C0/S0), then one 1536-byte packet. */
final class HandshakePackets {
    static final int RTMP_VERSION = 3;
    static final int PACKET = HandshakeDigest.PACKET;

    private HandshakePackets() {
    }

    /**
     * True once the version byte and a whole packet are readable, with the version byte consumed.
     * A wrong version fails at once, before waiting for more: it is usually TLS or HTTP on an RTMP port.
     */
    static boolean versionAndPacketReady(ByteBuf in, String peer) {
        if (!in.isReadable()) {
            return false;
        }
        int version = in.getUnsignedByte(in.readerIndex());
        if (version != RTMP_VERSION) {
            in.skipBytes(in.readableBytes());
            throw new HandshakeException(String.format("%s is not speaking RTMP: first byte 0x%02x", peer, version));
        }
        if (in.readableBytes() < 1 + PACKET) {
            return false;
        }
        in.skipBytes(1);
        return true;
    }
}
