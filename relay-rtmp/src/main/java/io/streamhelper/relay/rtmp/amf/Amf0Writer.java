package io.streamhelper.relay.rtmp.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.Map;

/** Writes Java values as AMF0: the inverse of {@link Amf0Reader}'s mapping. */
public final class Amf0Writer {
    private Amf0Writer() {
    }

    public static void writeAll(ByteBuf out, Object... values) {
        writeAll(out, java.util.Arrays.asList(values));
    }

    /** Writes each element as its own value; on a refused value the buffer is left as it was. */
    public static void writeAll(ByteBuf out, List<?> values) {
        int start = out.writerIndex();
        try {
            for (Object value : values) {
                writeValue(out, value);
            }
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /** Writes one value; on a refused value (anywhere inside it) the buffer is left as it was. */
    public static void write(ByteBuf out, Object value) {
        int start = out.writerIndex();
        try {
            writeValue(out, value);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    private static void writeValue(ByteBuf out, Object value) {
        if (value == null) {
            out.writeByte(Amf0.NULL);
        } else if (value == Amf0.UNDEFINED) {
            out.writeByte(Amf0.UNDEFINED_MARKER);
        } else if (value instanceof Number n) {
            out.writeByte(Amf0.NUMBER).writeDouble(n.doubleValue());
        } else if (value instanceof Boolean b) {
            out.writeByte(Amf0.BOOLEAN).writeByte(b ? 1 : 0);
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof Amf0EcmaArray array) {
            out.writeByte(Amf0.ECMA_ARRAY).writeInt(array.size());
            writeProperties(out, array);
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte(Amf0.OBJECT);
            writeProperties(out, map);
        } else if (value instanceof List<?> list) {
            out.writeByte(Amf0.STRICT_ARRAY).writeInt(list.size());
            list.forEach(v -> writeValue(out, v));
        } else if (value instanceof Amf0Date date) {
            out.writeByte(Amf0.DATE).writeDouble(date.epochMillis()).writeShort(date.timeZone());
        } else {
            throw new IllegalArgumentException("no AMF0 form for " + value.getClass().getName());
        }
    }

    private static void writeString(ByteBuf out, String s) {
        int length = ByteBufUtil.utf8Bytes(s);
        if (length > 0xFFFF) {
            out.writeByte(Amf0.LONG_STRING).writeInt(length);
        } else {
            out.writeByte(Amf0.STRING).writeShort(length);
        }
        out.writeCharSequence(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeProperties(ByteBuf out, Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("AMF0 property names are strings, not "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
            }
            int length = ByteBufUtil.utf8Bytes(key);
            if (length > 0xFFFF) {
                throw new IllegalArgumentException("AMF0 property name longer than 65535 bytes");
            }
            out.writeShort(length);
            out.writeCharSequence(key, java.nio.charset.StandardCharsets.UTF_8);
            writeValue(out, e.getValue());
        }
        out.writeShort(0).writeByte(Amf0.OBJECT_END);
    }
}
