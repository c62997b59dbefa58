package io.streamhelper.relay.rtmp.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Builds the small protocol control and user control messages both sides send. */
public final class ProtocolControl {
    public static final int USER_STREAM_BEGIN = 0;
    public static final int USER_STREAM_EOF = 1;
    public static final int USER_STREAM_DRY = 2;
    public static final int USER_SET_BUFFER_LENGTH = 3;
    public static final int USER_STREAM_IS_RECORDED = 4;
    public static final int USER_PING_REQUEST = 6;
    public static final int USER_PING_RESPONSE = 7;

    /** Set Peer Bandwidth limit type "dynamic", as nginx-rtmp and SRS send. */
    public static final int LIMIT_DYNAMIC = 2;

    private ProtocolControl() {
    }

    public static RtmpMessage setChunkSize(ByteBufAllocator alloc, int size) {
        return control(MessageType.SET_CHUNK_SIZE, alloc.buffer(4).writeInt(size));
    }

    public static RtmpMessage windowAckSize(ByteBufAllocator alloc, int size) {
        return control(MessageType.WINDOW_ACK_SIZE, alloc.buffer(4).writeInt(size));
    }

    public static RtmpMessage acknowledgement(ByteBufAllocator alloc, long sequenceNumber) {
        return control(MessageType.ACKNOWLEDGEMENT, alloc.buffer(4).writeInt((int) sequenceNumber));
    }

    public static RtmpMessage setPeerBandwidth(ByteBufAllocator alloc, int size, int limitType) {
        return control(MessageType.SET_PEER_BANDWIDTH, alloc.buffer(5).writeInt(size).writeByte(limitType));
    }

    public static RtmpMessage userControl(ByteBufAllocator alloc, int event, int value) {
        return control(MessageType.USER_CONTROL, alloc.buffer(6).writeShort(event).writeInt(value));
    }

    private static RtmpMessage control(int type, ByteBuf payload) {
        return new RtmpMessage(ChunkStreamIds.PROTOCOL_CONTROL, type, 0, 0, payload);
    }
}
