package io.streamhelper.relay.rtmp.amf;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads AMF0 values. Every length is checked against what is readable before anything is
 * allocated, nesting and entry counts are capped, and truncated input raises
 * {@link Amf0Exception}, never an index error: the input comes from strangers.
 */
public final class Amf0Reader {
    static final int MAX_DEPTH = 32;
    static final int MAX_ENTRIES = 4096;

    private Amf0Reader() {
    }

    /** Reads one value, advancing the reader index. */
    public static Object read(ByteBuf in) {
        return read(in, 0);
    }

    /** Reads values until the buffer is exhausted. */
    public static List<Object> readAll(ByteBuf in) {
        List<Object> values = new ArrayList<>();
        while (in.isReadable()) {
            if (values.size() >= MAX_ENTRIES) {
                throw new Amf0Exception("more than " + MAX_ENTRIES + " AMF0 values in one message");
            }
            values.add(read(in, 0));
        }
        return values;
    }

    private static Object read(ByteBuf in, int depth) {
        need(in, 1, "type marker");
        int marker = in.readUnsignedByte();
        switch (marker) {
            case Amf0.NUMBER:
                need(in, 8, "number");
                return in.readDouble();
            case Amf0.BOOLEAN:
                need(in, 1, "boolean");
                return in.readByte() != 0;
            case Amf0.STRING:
                return readUtf8(in, shortLength(in, "string length"));
            case Amf0.LONG_STRING:
                return readUtf8(in, longLength(in, "long string length"));
            case Amf0.XML_DOCUMENT:
                return readUtf8(in, longLength(in, "XML document length"));
            case Amf0.OBJECT:
                return readProperties(in, new LinkedHashMap<>(), depth);
            case Amf0.TYPED_OBJECT:
                readUtf8(in, shortLength(in, "class name length")); // irrelevant to a relay
                return readProperties(in, new LinkedHashMap<>(), depth);
            case Amf0.ECMA_ARRAY:
                // The count is a hint real encoders get wrong (0, or off by one): read to the end marker.
                need(in, 4, "ECMA array count");
                in.skipBytes(4);
                return readProperties(in, new Amf0EcmaArray(), depth);
            case Amf0.STRICT_ARRAY:
                return readStrictArray(in, depth);
            case Amf0.DATE:
                need(in, 10, "date");
                return new Amf0Date(in.readDouble(), in.readShort());
            case Amf0.NULL:
                return null;
            case Amf0.UNDEFINED_MARKER:
            case Amf0.UNSUPPORTED:
                return Amf0.UNDEFINED;
            case Amf0.REFERENCE:
                throw new Amf0Exception("AMF0 references are not supported");
            case Amf0.AVMPLUS:
                throw new Amf0Exception("AMF3 value not supported");
            case Amf0.OBJECT_END:
                throw new Amf0Exception("AMF0 object end marker outside an object");
            default:
                throw new Amf0Exception(String.format("unknown AMF0 type marker 0x%02x", marker));
        }
    }

    private static <M extends Map<String, Object>> M readProperties(ByteBuf in, M target, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new Amf0Exception("AMF0 nesting deeper than " + MAX_DEPTH);
        }
        // Counted as read, not by map size: one name repeated endlessly is as costly as many.
        int entries = 0;
        while (true) {
            if (!in.isReadable()) {
                // Some encoders (old librtmp onMetaData) end the message without the end marker.
                return target;
            }
            String key = readUtf8(in, shortLength(in, "property name length"));
            need(in, 1, "property value");
            if (key.isEmpty() && in.getUnsignedByte(in.readerIndex()) == Amf0.OBJECT_END) {
                in.skipBytes(1);
                return target;
            }
            if (++entries > MAX_ENTRIES) {
                throw new Amf0Exception("AMF0 object with more than " + MAX_ENTRIES + " properties");
            }
            target.put(key, read(in, depth + 1));
        }
    }

    private static List<Object> readStrictArray(ByteBuf in, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new Amf0Exception("AMF0 nesting deeper than " + MAX_DEPTH);
        }
        long count = longLength(in, "strict array count");
        // Every element takes at least one byte: a larger count cannot be honest.
        if (count > in.readableBytes()) {
            throw new Amf0Exception("AMF0 strict array of " + count + " elements exceeds the " + in.readableBytes() + " readable bytes");
        }
        if (count > MAX_ENTRIES) {
            throw new Amf0Exception("AMF0 strict array of " + count + " elements exceeds the limit of " + MAX_ENTRIES);
        }
        List<Object> values = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            values.add(read(in, depth + 1));
        }
        return values;
    }

    private static int shortLength(ByteBuf in, String what) {
        need(in, 2, what);
        return in.readUnsignedShort();
    }

    private static long longLength(ByteBuf in, String what) {
        need(in, 4, what);
        return in.readUnsignedInt();
    }

    private static String readUtf8(ByteBuf in, long length) {
        if (length > in.readableBytes()) {
            throw new Amf0Exception("AMF0 string length " + length + " exceeds the " + in.readableBytes() + " readable bytes");
        }
        String s = in.toString(in.readerIndex(), (int) length, StandardCharsets.UTF_8);
        in.skipBytes((int) length);
        return s;
    }

    private static void need(ByteBuf in, int bytes, String what) {
        if (in.readableBytes() < bytes) {
            throw new Amf0Exception("truncated AMF0 " + what + ": needs " + bytes + " bytes, " + in.readableBytes() + " readable");
        }
    }
}
