package io.streamhelper.relay.rtmp.ingest;

import io.netty.buffer.ByteBuf;
import io.streamhelper.relay.core.media.MediaKind;
import io.streamhelper.relay.core.media.MediaMessage;
import io.streamhelper.relay.rtmp.amf.Amf0Reader;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;

/**
 * Turns RTMP media messages into the relay's {@link MediaMessage}s, sharing the payload.
 * {@code @setDataFrame} is stripped from metadata: it is an instruction to the server ("keep
 * this"), and each destination client puts it back when it publishes.
 */
final class MediaMessages {
    static final String SET_DATA_FRAME = "@setDataFrame";
    static final String ON_META_DATA = "onMetaData";

    private MediaMessages() {
    }

    /** A retained media message for audio, video and AMF0 data, or null for anything else. */
    static MediaMessage toMedia(RtmpMessage message) {
        ByteBuf payload = message.content();
        return switch (message.typeId()) {
            case MessageType.AUDIO -> new MediaMessage(MediaKind.AUDIO, message.timestamp(), payload.retainedDuplicate());
            case MessageType.VIDEO -> new MediaMessage(MediaKind.VIDEO, message.timestamp(), payload.retainedDuplicate());
            case MessageType.DATA_AMF0 -> dataMessage(message.timestamp(), payload);
            default -> null;
        };
    }

    private static MediaMessage dataMessage(long timestamp, ByteBuf payload) {
        ByteBuf probe = payload.duplicate();
        Object first = Amf0Reader.read(probe);
        if (SET_DATA_FRAME.equals(first)) {
            // Read before retaining: a broken value throws, and a retained slice would leak
            // (found by IngestChunkStreamFuzzTest).
            Object second = Amf0Reader.read(probe.duplicate());
            MediaKind kind = ON_META_DATA.equals(second) ? MediaKind.METADATA : MediaKind.DATA;
            return new MediaMessage(kind, timestamp, payload.retainedSlice(probe.readerIndex(), probe.readableBytes()));
        }
        MediaKind kind = ON_META_DATA.equals(first) ? MediaKind.METADATA : MediaKind.DATA;
        return new MediaMessage(kind, timestamp, payload.retainedDuplicate());
    }
}
