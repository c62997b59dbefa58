package io.streamhelper.relay.rtmp.amf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.junit.jupiter.api.Test;

class Amf0Test {

    private static Object roundTrip(Object value) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Amf0Writer.write(buf, value);
            Object read = Amf0Reader.read(buf);
            assertFalse(buf.isReadable(), "the value consumed exactly its bytes");
            return read;
        } finally {
            buf.release();
        }
    }

    private static byte[] encode(Object... values) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Amf0Writer.writeAll(buf, values);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void numbersIncludingTheOddOnes() {
        for (double d : new double[] {0, -0.0, 1, -1.5, 1e300, Double.MAX_VALUE, Double.MIN_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertEquals(d, (Double) roundTrip(d));
        }
        assertTrue(Double.isNaN((Double) roundTrip(Double.NaN)));
        assertEquals(42.0, roundTrip(42), "any Number is written as an AMF0 number");
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) roundTrip(-0.0)));
    }

    @Test
    void booleansNullAndUndefined() {
        assertEquals(true, roundTrip(true));
        assertEquals(false, roundTrip(false));
        assertNull(roundTrip(null));
        assertSame(Amf0.UNDEFINED, roundTrip(Amf0.UNDEFINED));
    }

    @Test
    void stringsShortUnicodeAndLong() {
        assertEquals("", roundTrip(""));
        assertEquals("connect", roundTrip("connect"));
        assertEquals("grüße 🎥 ストリーム", roundTrip("grüße 🎥 ストリーム"));
        String longString = "x".repeat(70_000);
        byte[] bytes = encode(longString);
        assertEquals(Amf0.LONG_STRING, bytes[0], "over 65535 bytes becomes a long string");
        assertEquals(longString, roundTrip(longString));
        String exactly = "y".repeat(65_535);
        assertEquals(Amf0.STRING, encode(exactly)[0]);
        assertEquals(exactly, roundTrip(exactly));
    }

    @Test
    void objectsEcmaArraysStrictArraysAndDates() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("level", "status");
        inner.put("code", "NetStream.Publish.Start");
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("info", inner);
        outer.put("list", new ArrayList<>(Arrays.asList(1.0, "two", null, List.of(3.0))));
        outer.put("empty", new LinkedHashMap<>());
        Object read = roundTrip(outer);
        assertEquals(outer, read);
        assertEquals(List.of("info", "list", "empty"), new ArrayList<>(((Map<?, ?>) read).keySet()), "order kept");

        Amf0EcmaArray metadata = new Amf0EcmaArray();
        metadata.put("width", 1280.0);
        metadata.put("height", 720.0);
        metadata.put("encoder", "Lavf59.27.100");
        Object readMeta = roundTrip(metadata);
        assertInstanceOf(Amf0EcmaArray.class, readMeta, "an ECMA array stays an ECMA array");
        assertEquals(metadata, readMeta);

        Amf0Date date = new Amf0Date(1_700_000_000_000.0, (short) 0);
        assertEquals(date, roundTrip(date));
        assertEquals(List.of(), roundTrip(List.of()));
    }

    @Test
    void decodesFfmpegsConnectCommandWrittenByHand() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(0x02).writeShort(7).writeBytes("connect".getBytes());
        buf.writeByte(0x00).writeDouble(1.0);
        buf.writeByte(0x03);
        property(buf, "app", "live");
        property(buf, "type", "nonprivate");
        property(buf, "flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)");
        property(buf, "tcUrl", "rtmp://127.0.0.1:1935/live");
        buf.writeShort(0).writeByte(0x09);
        try {
            List<Object> values = Amf0Reader.readAll(buf);
            assertEquals("connect", values.get(0));
            assertEquals(1.0, values.get(1));
            Map<?, ?> properties = (Map<?, ?>) values.get(2);
            assertEquals("live", properties.get("app"));
            assertEquals("nonprivate", properties.get("type"));
            assertEquals("rtmp://127.0.0.1:1935/live", properties.get("tcUrl"));
            assertEquals(3, values.size());
        } finally {
            buf.release();
        }
    }

    private static void property(ByteBuf buf, String key, String value) {
        buf.writeShort(key.length()).writeBytes(key.getBytes());
        buf.writeByte(0x02).writeShort(value.length()).writeBytes(value.getBytes());
    }

    @Test
    void ecmaArrayWithAWrongCountAndAMissingEndMarkerAtTheEnd() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(0x08).writeInt(0); // count 0, but two entries follow
        buf.writeShort(5).writeBytes("width".getBytes()).writeByte(0).writeDouble(1280);
        buf.writeShort(6).writeBytes("height".getBytes()).writeByte(0).writeDouble(720);
        // no 00 00 09: old librtmp ends onMetaData like this
        try {
            Map<?, ?> read = (Map<?, ?>) Amf0Reader.read(buf);
            assertEquals(1280.0, read.get("width"));
            assertEquals(720.0, read.get("height"));
        } finally {
            buf.release();
        }
    }

    @Test
    void strictArrayAsInFfmpegsFourCcList() {
        // ffmpeg >= 6.1 sends fourCcList in connect; MediaMTX once refused it.
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("app", "live");
        connect.put("fourCcList", List.of("av01", "vp09", "hvc1"));
        assertEquals(connect, roundTrip(connect));
    }

    @Test
    void typedObjectsXmlAndUnsupportedAreRead() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(0x10).writeShort(3).writeBytes("Foo".getBytes());
        buf.writeShort(1).writeBytes("a".getBytes()).writeByte(0x01).writeByte(1);
        buf.writeShort(0).writeByte(0x09);
        buf.writeByte(0x0F).writeInt(3).writeBytes("<a>".getBytes());
        buf.writeByte(0x0D);
        try {
            List<Object> values = Amf0Reader.readAll(buf);
            assertEquals(Map.of("a", true), values.get(0));
            assertEquals("<a>", values.get(1));
            assertSame(Amf0.UNDEFINED, values.get(2));
        } finally {
            buf.release();
        }
    }

    @Test
    void everyTruncationOfAValidEncodingIsAnAmf0Exception() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "string");
        value.put("n", 1.0);
        value.put("b", true);
        value.put("a", List.of(1.0, "x"));
        Amf0EcmaArray ecma = new Amf0EcmaArray();
        ecma.put("k", new Amf0Date(1, (short) 0));
        value.put("e", ecma);
        byte[] full = encode("cmd", 2.0, value, "x".repeat(70_000));
        // Cutting anywhere must fail cleanly; a cut exactly at a value boundary reads fewer values.
        for (int cut = 1; cut < full.length; cut += cut < 200 ? 1 : 997) {
            ByteBuf buf = Unpooled.wrappedBuffer(full, 0, cut);
            try {
                List<Object> values = Amf0Reader.readAll(buf);
                assertTrue(values.size() < 4, "cut at " + cut + " cannot yield all values");
            } catch (Amf0Exception expected) {
                // the only acceptable failure
            } catch (RuntimeException other) {
                throw new AssertionError("cut at " + cut + " threw " + other, other);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void hostileInputIsRefusedWithAClearMessage() {
        assertRefused("AMF0 string length 65535 exceeds", 0x02, 0xFF, 0xFF, 'a');
        assertRefused("strict array of 4294967295 elements", 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00);
        assertRefused("unknown AMF0 type marker 0x42", 0x42);
        assertRefused("references are not supported", 0x07, 0, 1);
        assertRefused("AMF3 value not supported", 0x11, 0x01);
        assertRefused("object end marker outside an object", 0x09);
        byte[] deep = new byte[40 * 4 + 1];
        for (int i = 0; i < 40; i++) {
            // property "" would end the object; use key "k" and nest objects 40 deep
            deep[i * 4] = 0x03;
            deep[i * 4 + 1] = 0;
            deep[i * 4 + 2] = 1;
            deep[i * 4 + 3] = 'k';
        }
        deep[deep.length - 1] = 0x05;
        assertRefused("nesting deeper than 32", toInts(deep));
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xFF;
        }
        return ints;
    }

    private static void assertRefused(String messagePart, int... bytes) {
        ByteBuf buf = Unpooled.buffer();
        for (int b : bytes) {
            buf.writeByte(b);
        }
        try {
            Amf0Exception e = assertThrows(Amf0Exception.class, () -> Amf0Reader.readAll(buf));
            assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        } finally {
            buf.release();
        }
    }

    @Test
    void writerRefusesTypesItCannotEncode() {
        ByteBuf buf = Unpooled.buffer();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Amf0Writer.write(buf, new Object()));
            assertTrue(e.getMessage().contains("java.lang.Object"));
        } finally {
            buf.release();
        }
    }
}
