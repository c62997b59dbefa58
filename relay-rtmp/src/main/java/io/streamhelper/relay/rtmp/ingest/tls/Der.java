package io.streamhelper.relay.rtmp.ingest.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The little DER that wrapping a PKCS#1 or SEC1 key into PKCS#8 takes: one tag-length-value, and a SEQUENCE's children. */
final class Der {
    private Der() {
    }

    /** One element: its tag, and all its bytes (tag and length included) in {@code content}. */
    record Element(int tag, byte[] content) {
    }

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The elements inside the SEQUENCE {@code der}; for a context tag ([0]) the content is its inner element. */
    static List<Element> children(byte[] der) {
        int[] header = header(der, 0);
        int pos = header[0];
        int end = pos + header[1];
        List<Element> out = new ArrayList<>();
        while (pos < end) {
            int tag = der[pos] & 0xff;
            int[] h = header(der, pos);
            int next = h[0] + h[1];
            byte[] content = (tag & 0x20) != 0 && (tag & 0xc0) == 0x80
                    ? Arrays.copyOfRange(der, h[0], next) // constructed context tag: its inner TLV
                    : Arrays.copyOfRange(der, pos, next);
            out.add(new Element(tag, content));
            pos = next;
        }
        return out;
    }

    /** {start of value, length of value} of the element at {@code pos}. */
    private static int[] header(byte[] der, int pos) {
        int first = der[pos + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {pos + 2, first};
        }
        int bytes = first & 0x7f;
        if (bytes > 3) {
            throw new IllegalArgumentException("DER length too long");
        }
        int length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (der[pos + 2 + i] & 0xff);
        }
        if (pos + 2 + bytes + length > der.length) {
            throw new IllegalArgumentException("DER element past its end");
        }
        return new int[] {pos + 2 + bytes, length};
    }
}
