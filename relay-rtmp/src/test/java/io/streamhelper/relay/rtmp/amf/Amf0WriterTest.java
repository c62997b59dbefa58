package io.streamhelper.relay.rtmp.amf;

import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.FFMPEG_CONNECT;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.bytes;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.encode;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.encodeHex;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The exact bytes the writer emits, and what it refuses. */
class Amf0WriterTest {

    @Test
    void writesFfmpegsConnectByteForByte() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("app", "live");
        properties.put("type", "nonprivate");
        properties.put("flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)");
        properties.put("tcUrl", "rtmp://127.0.0.1:1935/live");
        assertEquals(hex(bytes(FFMPEG_CONNECT)), encodeHex("connect", 1, properties));
    }

    @Test
    void eachTypeByteForByte() {
        assertEquals("003ff0000000000000", encodeHex(1.0));
        assertEquals("003ff0000000000000", encodeHex(1), "integers are numbers too");
        assertEquals("008000000000000000", encodeHex(-0.0));
        assertEquals("0101" + "0100", encodeHex(true, false));
        assertEquals("020000", encodeHex(""));
        assertEquals("020007636f6e6e656374", encodeHex("connect"));
        assertEquals("02000c6772c3bcc39f6520f09f8ea5", encodeHex("grüße 🎥"));
        assertEquals("05" + "06", encodeHex(null, Amf0.UNDEFINED));
        assertEquals("03000009", encodeHex(Map.of()));
        assertEquals("030001610101000009", encodeHex(Map.of("a", true)));
        assertEquals("0a00000000", encodeHex(List.of()));
        assertEquals("0a00000002" + "05" + "0a00000000", encodeHex(Arrays.asList(null, List.of())));
        assertEquals("0b4278bcfe568000000000", encodeHex(new Amf0Date(1.7e12, (short) 0)));
        assertEquals("0b3ff0000000000000ffc4", encodeHex(new Amf0Date(1, (short) -60)));
    }

    @Test
    void ecmaArrayCountIsItsSize() {
        Amf0EcmaArray array = new Amf0EcmaArray();
        assertEquals("0800000000000009", encodeHex(array));
        array.put("width", 1280);
        array.put("height", 720);
        assertEquals("0800000002"
            + "0005" + "7769647468" + "004094000000000000"
            + "0006" + "686569676874" + "004086800000000000"
            + "000009", encodeHex(array));
    }

    @Test
    void anyNumberIsWrittenAsADouble() {
        for (Number n : List.<Number>of(7, 7L, 7.0f, (short) 7, (byte) 7, new java.math.BigInteger("7"),
            new AtomicInteger(7))) {
            assertEquals("00401c000000000000", encodeHex(n), n.getClass().getName());
        }
    }

    @Test
    void longStringsAreChosenByUtf8LengthNotCharCount() {
        assertEquals(Amf0.STRING, encode("x".repeat(65_535))[0]);
        assertEquals(Amf0.LONG_STRING, encode("x".repeat(65_536))[0]);

        byte[] fits = encode("€".repeat(21_845)); // 65535 bytes in 21845 chars
        assertEquals(Amf0.STRING, fits[0]);
        assertEquals("02ffff", hex(Arrays.copyOf(fits, 3)));
        assertEquals(3 + 65_535, fits.length);

        byte[] over = encode("€".repeat(21_846)); // 65538 bytes in 21846 chars
        assertEquals("0c00010002", hex(Arrays.copyOf(over, 5)));
        assertEquals(5 + 65_538, over.length);
    }

    @Test
    void lengthPrefixMatchesTheBytesEvenForBrokenSurrogates() {
        // A lone surrogate cannot be encoded; whatever replaces it, the prefix must count it.
        for (String s : List.of("a\uD800b", "\uDC00", "x\uD83C")) {
            byte[] encoded = encode(s);
            int declared = ((encoded[1] & 0xFF) << 8) | (encoded[2] & 0xFF);
            assertEquals(encoded.length - 3, declared, () -> hex(encoded));
        }
    }

    @Test
    void writeAllWritesEachValueInTurn() {
        Object[] values = {"onStatus", 0, null, Map.of("level", "status")};
        byte[] fromArray = encode(values);
        ByteBuf buf = Unpooled.buffer();
        try {
            Amf0Writer.writeAll(buf, Arrays.asList(values));
            assertArrayEquals(fromArray, ByteBufUtil.getBytes(buf));
            buf.clear();
            for (Object value : values) {
                Amf0Writer.write(buf, value);
            }
            assertArrayEquals(fromArray, ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
        assertEquals("0a00000001020001" + "78", encodeHex(List.of("x")), "write of a list is one strict array");
    }

    @Test
    void writesAtTheWriterIndexOfADirectBuffer() {
        ByteBuf buf = Unpooled.directBuffer(4);
        try {
            buf.writeByte(0xAA).readByte();
            Amf0Writer.write(buf, "growing past the initial capacity");
            assertEquals(1, buf.readerIndex(), "the reader index is not the writer's business");
            assertEquals("growing past the initial capacity", Amf0Reader.read(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void unsupportedTypesAreRefusedByClassName() {
        for (Object value : List.of(new Object(), 'c', new int[0], new StringBuilder("s"), Map.of(1, "int key"))) {
            ByteBuf buf = Unpooled.buffer();
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Amf0Writer.write(buf, value));
                String named = value instanceof Map<?, ?> ? Integer.class.getName() : value.getClass().getName();
                assertTrue(e.getMessage().contains(named), e.getMessage());
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void aRefusedValueLeavesTheBufferAsItWas() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("fine", "so far");
        object.put("bad", List.of(1.0, new Object()));
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeByte(0x7F);
            assertThrows(IllegalArgumentException.class, () -> Amf0Writer.write(buf, object));
            assertEquals(1, buf.writerIndex());
            assertThrows(IllegalArgumentException.class, () -> Amf0Writer.writeAll(buf, "ok", 1.0, new Object()));
            assertEquals(1, buf.writerIndex());
            assertThrows(IllegalArgumentException.class,
                () -> Amf0Writer.writeAll(buf, new ArrayList<>(Arrays.asList("ok", Thread.currentThread()))));
            assertEquals(1, buf.writerIndex());
        } finally {
            buf.release();
        }
    }
}
