package io.streamhelper.relay.rtmp.handshake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The digest ("FP9", complex) handshake that Flash Player, ffmpeg and FMS use: a 32-byte
 * HMAC-SHA256 hidden in C1/S1 at an offset derived from four bytes of the packet, in one of two
 * schemes. The keys are public protocol constants.
 */
final class HandshakeDigest {
    static final int PACKET = 1536;
    static final int DIGEST = 32;

    private static final byte[] KEY_TAIL = {
        (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE, (byte) 0xE8,
        (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E, (byte) 0x7E, (byte) 0x57,
        (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29, (byte) 0x80, (byte) 0x6F, (byte) 0xAB,
        (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36, (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE,
    };
    /** "Genuine Adobe Flash Player 001": signs C1. */
    static final byte[] PLAYER_KEY = "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII);
    /** "Genuine Adobe Flash Media Server 001": signs S1. */
    static final byte[] SERVER_KEY = "Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII);
    /** The server key with the 32-byte tail: derives the key that signs S2. */
    static final byte[] SERVER_KEY_FULL = concat(SERVER_KEY, KEY_TAIL);
    static final byte[] PLAYER_KEY_FULL = concat(PLAYER_KEY, KEY_TAIL);

    /** The two places a digest can sit: offset bytes at 8 (digest from 12) or at 772 (digest from 776). */
    enum Scheme {
        OFFSET_AT_8(8, 12),
        OFFSET_AT_772(772, 776);

        final int offsetField;
        final int base;

        Scheme(int offsetField, int base) {
            this.offsetField = offsetField;
            this.base = base;
        }

        int digestPosition(byte[] packet) {
            int sum = 0;
            for (int i = 0; i < 4; i++) {
                sum += packet[offsetField + i] & 0xFF;
            }
            return base + sum % 728;
        }
    }

    private HandshakeDigest() {
    }

    /** The HMAC over the packet without its 32 digest bytes. */
    static byte[] packetDigest(byte[] packet, int digestPosition, byte[] key) {
        Mac mac = hmac(key);
        mac.update(packet, 0, digestPosition);
        mac.update(packet, digestPosition + DIGEST, PACKET - digestPosition - DIGEST);
        return mac.doFinal();
    }

    /** Where a valid client digest sits in C1, or null when neither scheme holds one. */
    static Scheme findClientDigest(byte[] c1) {
        for (Scheme scheme : new Scheme[] {Scheme.OFFSET_AT_772, Scheme.OFFSET_AT_8}) {
            int position = scheme.digestPosition(c1);
            byte[] expected = packetDigest(c1, position, PLAYER_KEY);
            if (MessageDigest.isEqual(expected, Arrays.copyOfRange(c1, position, position + DIGEST))) {
                return scheme;
            }
        }
        return null;
    }

    /** Writes a digest into the packet at the scheme's position (used for S1 and, in tests, C1). */
    static void sign(byte[] packet, Scheme scheme, byte[] key) {
        int position = scheme.digestPosition(packet);
        System.arraycopy(packetDigest(packet, position, key), 0, packet, position, DIGEST);
    }

    /** S2 of the digest handshake: random bytes closed by an HMAC keyed from the client's digest. */
    static void signResponse(byte[] s2, byte[] clientDigest, byte[] fullKey) {
        byte[] key = hmac(fullKey).doFinal(clientDigest);
        Mac mac = hmac(key);
        mac.update(s2, 0, PACKET - DIGEST);
        System.arraycopy(mac.doFinal(), 0, s2, PACKET - DIGEST, DIGEST);
    }

    static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
