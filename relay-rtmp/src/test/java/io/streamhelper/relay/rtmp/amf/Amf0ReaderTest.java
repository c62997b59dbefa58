package io.streamhelper.relay.rtmp.amf;

import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.FFMPEG_CONNECT;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.assertRefused;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.bytes;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.decode;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.decodeAll;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.onHeapAndDirect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding bytes written by hand, including what real encoders get wrong. */
class Amf0ReaderTest {

    @Test
    void ffmpegsConnectCommand() {
        List<Object> values = decodeAll(FFMPEG_CONNECT);
        assertEquals(3, values.size());
        assertEquals("connect", values.get(0));
        assertEquals(1.0, values.get(1));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("app", "live");
        expected.put("type", "nonprivate");
        expected.put("flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)");
        expected.put("tcUrl", "rtmp://127.0.0.1:1935/live");
        assertInstanceOf(LinkedHashMap.class, values.get(2));
        assertEquals(expected, values.get(2));
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(((Map<?, ?>) values.get(2)).keySet()));
    }

    @Test
    void scalars() {
        assertEquals(1.0, decode("00 3ff0000000000000"));
        assertEquals(-0.0, decode("00 8000000000000000"));
        assertEquals(Boolean.FALSE, decode("01 00"));
        assertEquals(Boolean.TRUE, decode("01 01"));
        assertEquals(Boolean.TRUE, decode("01 07"), "any non-zero byte is true");
        assertEquals("", decode("02 0000"));
        assertEquals("grüße 🎥", decode("02 000c 6772c3bcc39f6520f09f8ea5"));
        assertEquals("abc", decode("0c 00000003 616263"));
        assertEquals("", decode("0c 00000000"));
        assertNull(decode("05"));
        assertSame(Amf0.UNDEFINED, decode("06"));
        assertEquals(new Amf0Date(1.7e12, (short) 0), decode("0b 4278bcfe56800000 0000"));
        assertEquals(new Amf0Date(1.0, (short) -60), decode("0b 3ff0000000000000 ffc4"));
    }

    @Test
    void invalidUtf8BecomesReplacementCharactersNotAnException() {
        assertEquals("\uFFFD(", decode("02 0002 c328"));
    }

    @Test
    void legacyMarkersAreReadAsTheirNearestType() {
        assertSame(Amf0.UNDEFINED, decode("0d"), "unsupported reads as undefined");
        assertEquals("<a/>", decode("0f 00000004 3c612f3e"), "XML document reads as a string");
        Object typed = decode("10 0003 466f6f  0001 61 0101  0001 62 05  000009");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", true);
        expected.put("b", null);
        assertInstanceOf(LinkedHashMap.class, typed, "a typed object reads as a plain object");
        assertEquals(expected, typed);
    }

    @Test
    void objectEndMarkersCloseOnlyTheirOwnObject() {
        // {a: {b: true, c: {}}, d: null, e: [{f: 1}]}
        Object read = decode("""
            03
              0001 61 03
                0001 62 0101
                0001 63 03 000009
                000009
              0001 64 05
              0001 65 0a 00000001 03 0001 66 00 3ff0000000000000 000009
              000009
            """);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("b", true);
        a.put("c", Map.of());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", a);
        expected.put("d", null);
        expected.put("e", List.of(Map.of("f", 1.0)));
        assertEquals(expected, read);
    }

    @Test
    void emptyNameFollowedByAValueIsAProperty() {
        assertEquals(Map.of("", 1.0), decode("03 0000 00 3ff0000000000000 000009"));
    }

    @Test
    void ecmaArrayCountIsIgnored() {
        String entries = "0005 7769647468 00 4094000000000000  0006 686569676874 00 4086800000000000  000009";
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("width", 1280.0);
        expected.put("height", 720.0);
        for (String count : List.of("00000000", "00000001", "00000063", "ffffffff")) {
            Object read = decode("08 " + count + entries);
            assertInstanceOf(Amf0EcmaArray.class, read);
            assertEquals(expected, read, "with count " + count);
        }
    }

    @Test
    void missingEndMarkerAtTheEndOfTheBufferIsTolerated() {
        // How old librtmp sends onMetaData: the ECMA array just stops with the message.
        List<Object> values = decodeAll("""
            02 000a 6f6e4d65746144617461
            08 00000002
              0005 7769647468 00 4094000000000000
              0006 686569676874 00 4086800000000000
            """);
        assertEquals("onMetaData", values.get(0));
        assertInstanceOf(Amf0EcmaArray.class, values.get(1));
        assertEquals(Map.of("width", 1280.0, "height", 720.0), values.get(1));

        assertEquals(Map.of("a", true), decode("03 0001 61 0101"));
        assertEquals(Map.of(), decode("03"));
        assertEquals(Map.of("a", Map.of("b", true)), decode("03 0001 61 03 0001 62 0101"), "nested, both unterminated");
        assertEquals(List.of("x", Map.of("a", true)), decodeAll("02 0001 78 08 00000000 0001 61 0101"));
    }

    @Test
    void missingEndMarkerBeforeTheEndOfTheBufferIsAnError() {
        // The next value's marker is read as a property name length: 02 00 -> 512 bytes.
        assertRefused("AMF0 string length 512 exceeds", "03 0001 61 0101  02 0001 78");
        // A strict array still wants its second element after the object.
        assertRefused("truncated AMF0 type marker", "0a 00000002 03 0001 61 0101");
    }

    @Test
    void readTakesExactlyOneValueFromTheReaderIndex() {
        onHeapAndDirect(bytes("ffff 02 0002 6869 05 00 3ff0000000000000"), buf -> {
            buf.skipBytes(2);
            assertEquals("hi", Amf0Reader.read(buf));
            assertEquals(7, buf.readerIndex());
            assertNull(Amf0Reader.read(buf));
            assertEquals(1.0, Amf0Reader.read(buf));
            assertEquals(buf.writerIndex(), buf.readerIndex());
            return null;
        });
    }

    @Test
    void readsFromASliceWithoutLookingPastIt() {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes("03 0001 61 0101  05 05"));
        try {
            // The slice ends where the object's end marker is missing: tolerated, and the
            // bytes after the slice are not read as properties.
            assertEquals(Map.of("a", true), Amf0Reader.read(buf.slice(0, 6)));
        } finally {
            buf.release();
        }
    }

    @Test
    void emptyInputHasNoValues() {
        assertEquals(List.of(), decodeAll(""));
        ByteBuf empty = Unpooled.buffer(0);
        try {
            Amf0Exception e = assertThrows(Amf0Exception.class, () -> Amf0Reader.read(empty));
            assertEquals("truncated AMF0 type marker: needs 1 bytes, 0 readable", e.getMessage());
        } finally {
            empty.release();
        }
    }
}
