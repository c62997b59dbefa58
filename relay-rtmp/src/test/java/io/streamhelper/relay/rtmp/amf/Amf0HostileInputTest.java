package io.streamhelper.relay.rtmp.amf;

import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.FFMPEG_CONNECT;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.assertRefused;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.bytes;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.decode;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.decodeAll;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.encode;
import static io.streamhelper.relay.rtmp.amf.Amf0Bytes.onHeapAndDirect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The input comes from strangers: every way it can be wrong must end in a clear Amf0Exception. */
class Amf0HostileInputTest {

    @Test
    void everyTruncationOfAValueThatUsesEveryTypeIsRefused() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("s", "string");
        object.put("n", 1.0);
        object.put("b", true);
        object.put("a", List.of(1.0, "x", List.of()));
        object.put("e", new Amf0EcmaArray(Map.of("d", new Amf0Date(1, (short) 0))));
        object.put("o", Map.of("inner", Map.of()));
        // Wrapped in a strict array ending in a number, so that no cut can land on a place where
        // an object may legitimately end with the buffer: every cut must be refused.
        List<Object> value = new ArrayList<>(Arrays.asList("cmd", 2.0, object, new Amf0EcmaArray(Map.of("w", 1.0)),
            null, Amf0.UNDEFINED, false, "€".repeat(25_000), new Amf0Date(2, (short) 1), 3.0));
        assertEveryTruncationRefused(encode(value));
    }

    @Test
    void everyTruncationOfHandWrittenLegacyTypesIsRefused() {
        assertEveryTruncationRefused(bytes("""
            0a 00000005
              10 0003 466f6f 0001 61 0101 000009
              0f 00000003 3c613e
              0c 00000002 6869
              0d
              06
            """));
    }

    private static void assertEveryTruncationRefused(byte[] full) {
        ByteBuf whole = Unpooled.wrappedBuffer(full);
        try {
            ByteBuf complete = whole.duplicate();
            Amf0Reader.read(complete);
            assertFalse(complete.isReadable(), "the untruncated value reads whole");
            for (int cut = 0; cut < full.length; cut++) {
                ByteBuf truncated = whole.slice(0, cut);
                try {
                    Object read = Amf0Reader.read(truncated);
                    fail("cut at " + cut + " of " + full.length + " read " + read);
                } catch (Amf0Exception expected) {
                    // the only acceptable outcome
                } catch (RuntimeException other) {
                    throw new AssertionError("cut at " + cut + " threw " + other, other);
                }
            }
        } finally {
            whole.release();
        }
    }

    @Test
    void everyTruncationOfAConnectCommandIsRefusedOrReadsLess() {
        byte[] full = bytes(FFMPEG_CONNECT);
        List<Object> complete = decodeAll(FFMPEG_CONNECT);
        for (int cut = 0; cut < full.length; cut++) {
            int at = cut;
            // A cut between values, or between properties of the trailing object, is
            // indistinguishable from a shorter valid message, so it may read. Only cutting off
            // exactly the final 00 00 09 reads as the whole: the end marker may be omitted.
            onHeapAndDirect(Arrays.copyOf(full, cut), buf -> {
                try {
                    List<Object> read = Amf0Reader.readAll(buf);
                    if (at == full.length - 3) {
                        assertEquals(complete, read);
                    } else {
                        assertNotEquals(complete, read, "cut at " + at);
                    }
                } catch (Amf0Exception expected) {
                    // refused cleanly
                } catch (RuntimeException other) {
                    throw new AssertionError("cut at " + at + " threw " + other, other);
                }
                return null;
            });
        }
    }

    @Test
    void lengthsBeyondTheReadableBytesAreRefusedBeforeAllocating() {
        Amf0Exception e = assertRefused("", "0c 00011170 000102030405060708090a0b");
        assertEquals("AMF0 string length 70000 exceeds the 12 readable bytes", e.getMessage());
        assertRefused("AMF0 string length 65535 exceeds the 1 readable bytes", "02 ffff 61");
        assertRefused("AMF0 string length 4294967295 exceeds the 0 readable bytes", "0c ffffffff");
        assertRefused("AMF0 string length 16 exceeds the 1 readable bytes", "0f 00000010 61");
        assertRefused("AMF0 string length 16 exceeds the 1 readable bytes", "03 0010 61");
        assertRefused("AMF0 string length 16 exceeds the 1 readable bytes", "10 0010 61");
        assertRefused("AMF0 strict array of 4294967295 elements exceeds the 1 readable bytes", "0a ffffffff 05");
        assertRefused("AMF0 strict array of 3 elements exceeds the 2 readable bytes", "0a 00000003 0505");
    }

    @Test
    void truncatedFixedSizeValuesNameWhatIsMissing() {
        assertRefused("truncated AMF0 number: needs 8 bytes, 3 readable", "00 3ff000");
        assertRefused("truncated AMF0 boolean", "01");
        assertRefused("truncated AMF0 date: needs 10 bytes, 8 readable", "0b 3ff0000000000000");
        assertRefused("truncated AMF0 string length", "02 00");
        assertRefused("truncated AMF0 long string length", "0c 000000");
        assertRefused("truncated AMF0 ECMA array count", "08 0000");
        assertRefused("truncated AMF0 strict array count", "0a 00");
        assertRefused("truncated AMF0 property name length", "03 00");
        assertRefused("truncated AMF0 property value", "03 0001 61");
        assertRefused("truncated AMF0 property value", "03 0000");
    }

    @Test
    void nestingUpTo32IsReadAndDeeperIsRefused() {
        for (String kind : List.of("object", "ecma", "strict", "mixed")) {
            assertEquals(32, depthOf(decode(nested(kind, 32))), kind);
            assertRefused("AMF0 nesting deeper than 32", nested(kind, 33));
        }
    }

    @Test
    void deepUnterminatedNestingIsRefusedWithoutExhaustingTheStack() {
        assertRefused("AMF0 nesting deeper than 32", "0a 00000001 ".repeat(100_000));
        assertRefused("AMF0 nesting deeper than 32", "03 0001 6b ".repeat(100_000));
        assertRefused("AMF0 nesting deeper than 32", "10 0000 0001 6b ".repeat(100_000));
    }

    /** Hex for {@code depth} containers of the given kind, nested one in the next, around a null. */
    private static String nested(String kind, int depth) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            String k = kind.equals("mixed") ? List.of("object", "ecma", "strict").get(i % 3) : kind;
            switch (k) {
                case "object" -> {
                    open.append("03 0001 6b ");
                    close.insert(0, "000009 ");
                }
                case "ecma" -> {
                    open.append("08 00000001 0001 6b ");
                    close.insert(0, "000009 ");
                }
                default -> open.append("0a 00000001 ");
            }
        }
        return open + "05 " + close;
    }

    private static int depthOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            return 1 + depthOf(map.get("k"));
        }
        if (value instanceof List<?> list) {
            return 1 + depthOf(list.get(0));
        }
        return 0;
    }

    @Test
    void atMost4096EntriesInOneObjectOrArray() {
        for (int count : new int[] {4096, 4097}) {
            Map<String, Object> object = new LinkedHashMap<>();
            Amf0EcmaArray ecma = new Amf0EcmaArray();
            List<Object> strict = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                object.put("k" + i, null);
                ecma.put("k" + i, null);
                strict.add(null);
            }
            for (Object value : List.of(object, ecma, strict)) {
                byte[] bytes = encode(value);
                if (count == 4096) {
                    assertEquals(value, onHeapAndDirect(bytes, Amf0Reader::read));
                } else {
                    assertRefused("4096", bytes);
                }
            }
        }
        // One name repeated: the map stays at one entry, but each entry read counts.
        assertRefused("AMF0 object with more than 4096 properties", "03" + " 0001 61 05".repeat(4097) + " 000009");
        assertRefused("AMF0 strict array of 4097 elements exceeds the limit of 4096",
            bytes("0a 00001001" + " 05".repeat(4097)));
    }

    @Test
    void atMost4096TopLevelValuesInOneBuffer() {
        assertEquals(4096, decodeAll("05".repeat(4096)).size());
        assertRefused("more than 4096 AMF0 values", "05".repeat(4097));
    }

    @Test
    void markersThatCannotBeReadAreNamed() {
        assertRefused("unknown AMF0 type marker 0x42", "42");
        assertRefused("unknown AMF0 type marker 0x04", "04");
        assertRefused("unknown AMF0 type marker 0x0e", "0e");
        assertRefused("unknown AMF0 type marker 0x12", "12");
        assertRefused("unknown AMF0 type marker 0xff", "03 0001 61 ff 000009");
        assertRefused("AMF0 references are not supported", "07 0001");
        assertRefused("AMF0 references are not supported", "03 0001 61 07 0000 000009");
        Amf0Exception amf3 = assertRefused("", "0a 00000001 11 01");
        assertEquals("AMF3 value not supported", amf3.getMessage());
        assertRefused("AMF0 object end marker outside an object", "09");
        assertRefused("AMF0 object end marker outside an object", "0a 00000001 09");
        assertRefused("AMF0 object end marker outside an object", "03 0001 61 09");
    }

    @Test
    void failuresAreDecoderExceptionsSoNettyPipelinesTreatThemAsSuch() {
        assertInstanceOf(DecoderException.class, assertRefused("", "42"));
    }
}
