package io.streamhelper.relay.rtmp.ingest;

import io.netty.buffer.ByteBuf;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.stream.VideoFormat;
import io.streamhelper.relay.rtmp.amf.Amf0Exception;
import io.streamhelper.relay.rtmp.amf.Amf0Reader;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.Map;

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

    /**
     * Width, height and frame rate from an onMetaData message (its payload is "onMetaData" and
     * then an object or ECMA array), for stats only. Encoders name the rate "framerate" (OBS,
     * ffmpeg) or "videoframerate" (some hardware encoders). Anything missing or malformed gives
     * zeros: the message itself is relayed as it came either way.
     */
    static VideoFormat videoFormat(MediaMessage metadata) {
        try {
            ByteBuf in = metadata.content().duplicate();
            Object name = Amf0Reader.read(in);
            Object properties = ON_META_DATA.equals(name) && in.isReadable() ? Amf0Reader.read(in) : null;
            if (!(properties instanceof Map<?, ?> map)) {
                return VideoFormat.UNKNOWN;
            }
            double rate = number(map.get("framerate"));
            if (rate == 0) {
                rate = number(map.get("videoframerate"));
            }
            return new VideoFormat((int) number(map.get("width")), (int) number(map.get("height")), rate);
        } catch (Amf0Exception malformed) {
            return VideoFormat.UNKNOWN;
        }
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }
}
