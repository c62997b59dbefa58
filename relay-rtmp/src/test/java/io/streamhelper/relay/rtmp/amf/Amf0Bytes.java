package io.streamhelper.relay.rtmp.amf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Function;

/** Hex and buffer helpers shared by the AMF0 tests; every buffer made here is released here. */
final class Amf0Bytes {
    /** What ffmpeg 5.1 (Lavf59.27.100) sends as connect when publishing, written out by hand. */
    static final String FFMPEG_CONNECT = """
        02 0007 636f6e6e656374
        00 3ff0000000000000
        03
          0003 617070 02 0004 6c697665
          0004 74797065 02 000a 6e6f6e70726976617465
          0008 666c617368566572 02 0024 464d4c452f332e302028636f6d70617469626c653b204c61766635392e32372e31303029
          0005 746355726c 02 001a 72746d703a2f2f3132372e302e302e313a313933352f6c697665
          000009
        """;

    private Amf0Bytes() {
    }

    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s", ""));
    }

    static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    static byte[] encode(Object... values) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Amf0Writer.writeAll(buf, values);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static String encodeHex(Object... values) {
        return hex(encode(values));
    }

    /** Writes and reads back one value, checking that reading consumes exactly what was written. */
    static Object roundTrip(Object value) {
        return onHeapAndDirect(encode(value), buf -> {
            Object read = Amf0Reader.read(buf);
            assertFalse(buf.isReadable(), "reading must consume exactly the written bytes");
            return read;
        });
    }

    /** Decodes every value in the hex, requiring the whole input to be consumed. */
    static List<Object> decodeAll(String hex) {
        return onHeapAndDirect(bytes(hex), buf -> {
            List<Object> values = Amf0Reader.readAll(buf);
            assertFalse(buf.isReadable());
            return values;
        });
    }

    static Object decode(String hex) {
        List<Object> values = decodeAll(hex);
        assertEquals(1, values.size(), "expected exactly one value");
        return values.get(0);
    }

    /** Asserts that readAll refuses the input with an Amf0Exception whose message contains the part. */
    static Amf0Exception assertRefused(String messagePart, byte[] input) {
        Amf0Exception[] thrown = new Amf0Exception[1];
        onHeapAndDirect(input, buf -> {
            thrown[0] = assertThrows(Amf0Exception.class, () -> Amf0Reader.readAll(buf));
            assertTrue(thrown[0].getMessage().contains(messagePart),
                () -> "expected '" + messagePart + "' in: " + thrown[0].getMessage());
            return null;
        });
        return thrown[0];
    }

    static Amf0Exception assertRefused(String messagePart, String hex) {
        return assertRefused(messagePart, bytes(hex));
    }

    /**
     * Runs the check on a heap buffer (array-backed) and on a direct one (no array, and tracked
     * by the paranoid leak detector), requiring the same answer from both.
     */
    static <T> T onHeapAndDirect(byte[] input, Function<ByteBuf, T> check) {
        ByteBuf heap = Unpooled.buffer(input.length).writeBytes(input);
        ByteBuf direct = Unpooled.directBuffer(input.length).writeBytes(input);
        try {
            T fromHeap = check.apply(heap);
            T fromDirect = check.apply(direct);
            assertEquals(fromHeap, fromDirect, "heap and direct buffers must decode alike");
            return fromHeap;
        } finally {
            heap.release();
            direct.release();
        }
    }
}
