package io.streamhelper.relay.rtmp.amf;

import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.encode;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.onHeapAndDirect;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0RoundTripTest {

    @Test
    void numbersKeepEveryBit() {
        double[] numbers = {0.0, -0.0, 1.0, -1.5, 1e300, -1e-300, Double.MAX_VALUE, Double.MIN_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        for (double d : numbers) {
            Object read = roundTrip(d);
            assertInstanceOf(Double.class, read);
            // Compare bits: -0.0 must not come back as 0.0, and NaN must stay NaN.
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) read), "for " + d);
        }
    }

    @Test
    void anyNumberComesBackAsADouble() {
        assertEquals(42.0, roundTrip(42));
        assertEquals(42.0, roundTrip(42L));
        assertEquals(1.5, roundTrip(1.5f));
        assertEquals(7.0, roundTrip((short) 7));
        assertEquals(-3.0, roundTrip((byte) -3));
        assertEquals(0.25, roundTrip(new java.math.BigDecimal("0.25")));
    }

    @Test
    void booleansNullAndUndefined() {
        assertEquals(Boolean.TRUE, roundTrip(true));
        assertEquals(Boolean.FALSE, roundTrip(false));
        assertNull(roundTrip(null));
        assertSame(Amf0.UNDEFINED, roundTrip(Amf0.UNDEFINED));
        assertEquals("undefined", Amf0.UNDEFINED.toString());
    }

    @Test
    void stringsEmptyUnicodeAndLong() {
        for (String s : List.of("", "connect", "grüße 🎥 ストリーム", "\u0000nul inside", "x".repeat(65_535),
            "x".repeat(65_536), "€".repeat(30_000), "y".repeat(200_000))) {
            assertEquals(s, roundTrip(s), () -> "string of " + s.length() + " chars");
        }
    }

    @Test
    void nestedObjectsKeepOrderAndEndWhereTheyShould() {
        Map<String, Object> deepest = new LinkedHashMap<>();
        deepest.put("z", 1.0);
        deepest.put("a", "last");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("level", "status");
        inner.put("deeper", deepest);
        inner.put("empty", new LinkedHashMap<>());
        inner.put("after", true);
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("info", inner);
        outer.put("sibling", null);
        outer.put("", "an empty name is a property, not an end marker");

        Object read = roundTrip(outer);
        assertInstanceOf(LinkedHashMap.class, read);
        assertEquals(outer, read);
        assertEquals(List.of("info", "sibling", ""), new ArrayList<>(((Map<?, ?>) read).keySet()));
        Map<?, ?> readInner = (Map<?, ?>) ((Map<?, ?>) read).get("info");
        assertEquals(List.of("level", "deeper", "empty", "after"), new ArrayList<>(readInner.keySet()));
        assertEquals(List.of("z", "a"), new ArrayList<>(((Map<?, ?>) readInner.get("deeper")).keySet()));
    }

    @Test
    void ecmaArraysStayEcmaArrays() {
        Amf0EcmaArray metadata = new Amf0EcmaArray();
        metadata.put("duration", 0.0);
        metadata.put("width", 1280.0);
        metadata.put("height", 720.0);
        metadata.put("encoder", "Lavf59.27.100");
        Map<String, Object> holder = new LinkedHashMap<>();
        holder.put("meta", metadata);
        holder.put("none", new Amf0EcmaArray());

        Object read = roundTrip(metadata);
        assertInstanceOf(Amf0EcmaArray.class, read);
        assertEquals(metadata, read);
        assertEquals(new ArrayList<>(metadata.keySet()), new ArrayList<>(((Map<?, ?>) read).keySet()));

        Map<?, ?> readHolder = (Map<?, ?>) roundTrip(holder);
        assertEquals(holder, readHolder);
        assertInstanceOf(Amf0EcmaArray.class, readHolder.get("meta"));
        assertInstanceOf(Amf0EcmaArray.class, readHolder.get("none"));
    }

    @Test
    void strictArraysIncludingNestedOnes() {
        assertEquals(List.of(), roundTrip(List.of()));
        // ffmpeg >= 6.1 sends a fourCcList in connect.
        assertEquals(List.of("av01", "vp09", "hvc1"), roundTrip(List.of("av01", "vp09", "hvc1")));
        List<Object> mixed = new ArrayList<>(Arrays.asList(1.0, "two", null, Amf0.UNDEFINED, true,
            List.of(3.0, List.of()), Map.of("k", "v"), new Amf0Date(0, (short) 0)));
        Object read = roundTrip(mixed);
        assertInstanceOf(ArrayList.class, read);
        assertEquals(mixed, read);
    }

    @Test
    void dates() {
        for (Amf0Date date : List.of(new Amf0Date(1_700_000_000_000.0, (short) 0),
            new Amf0Date(-86_400_000.0, (short) -60), new Amf0Date(0.5, Short.MAX_VALUE))) {
            assertEquals(date, roundTrip(date));
        }
    }

    @Test
    void severalValuesInOneBuffer() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("code", "NetStream.Publish.Start");
        List<Object> values = new ArrayList<>(Arrays.asList("onStatus", 0.0, null, object,
            Amf0.UNDEFINED, new Amf0EcmaArray(Map.of("n", 1.0)), List.of(false), new Amf0Date(1, (short) 0)));
        List<Object> read = onHeapAndDirect(encode(values.toArray()), Amf0Reader::readAll);
        assertEquals(values, read);
    }
}
