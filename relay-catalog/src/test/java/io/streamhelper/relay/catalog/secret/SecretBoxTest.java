package io.streamhelper.relay.catalog.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretBoxTest {
    private static final String HEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
    private static final byte[] ROW_1 = bytes("stream:1:owner:7");
    private static final byte[] ROW_2 = bytes("stream:2:owner:7");

    @TempDir
    Path dataDir;

    @Test
    void hexKeyRoundTrip() {
        SecretBox box = SecretBox.fromHexKey(HEX_KEY);
        byte[] sealed = box.seal("live_123_secret", ROW_1);

        assertEquals("live_123_secret", box.open(sealed, ROW_1));
        assertEquals("live_123_secret", SecretBox.fromHexKey(HEX_KEY.toLowerCase()).open(sealed, ROW_1));
    }

    /** Databases sealed before the keyring (AesGcmJce, no Tink prefix) still open, and the other way round. */
    @Test
    void rawKeyCiphertextsAreTheFormatOfBeforeTheKeyring() throws Exception {
        com.google.crypto.tink.aead.AesGcmKey key = com.google.crypto.tink.aead.AesGcmKey.builder()
                .setParameters(com.google.crypto.tink.aead.AesGcmParameters.builder().setKeySizeBytes(32)
                        .setIvSizeBytes(12).setTagSizeBytes(16)
                        .setVariant(com.google.crypto.tink.aead.AesGcmParameters.Variant.NO_PREFIX).build())
                .setKeyBytes(com.google.crypto.tink.util.SecretBytes.copyFrom(java.util.HexFormat.of().parseHex(HEX_KEY),
                        com.google.crypto.tink.InsecureSecretKeyAccess.get()))
                .build();
        com.google.crypto.tink.Aead before = com.google.crypto.tink.subtle.AesGcmJce.create(key);
        SecretBox box = SecretBox.fromHexKey(HEX_KEY);

        assertEquals("live_123_secret", box.open(before.encrypt(bytes("live_123_secret"), ROW_1), ROW_1));
        byte[] sealed = box.seal("live_123_secret", ROW_1);
        assertEquals(12 + "live_123_secret".length() + 16, sealed.length, "iv || ciphertext || tag, no prefix");
        assertEquals("live_123_secret", new String(before.decrypt(sealed, ROW_1), StandardCharsets.UTF_8));
    }

    @Test
    void sealingTwiceGivesDifferentCiphertexts() {
        SecretBox box = SecretBox.fromHexKey(HEX_KEY);
        assertFalse(java.util.Arrays.equals(box.seal("same", ROW_1), box.seal("same", ROW_1)));
    }

    @Test
    void wrongAssociatedDataDoesNotOpen() {
        SecretBox box = SecretBox.fromHexKey(HEX_KEY);
        byte[] sealed = box.seal("live_123_secret", ROW_1);

        SecretDecryptionException e = assertThrows(SecretDecryptionException.class, () -> box.open(sealed, ROW_2));
        assertFalse(e.getMessage().contains("live_123_secret"));
    }

    @Test
    void damagedCiphertextOrOtherKeyDoesNotOpen() {
        SecretBox box = SecretBox.fromHexKey(HEX_KEY);
        byte[] sealed = box.seal("live_123_secret", ROW_1);
        byte[] damaged = sealed.clone();
        damaged[damaged.length - 1] ^= 1;

        assertThrows(SecretDecryptionException.class, () -> box.open(damaged, ROW_1));
        assertThrows(SecretDecryptionException.class, () -> box.open(new byte[3], ROW_1));
        assertThrows(SecretDecryptionException.class,
                () -> SecretBox.fromHexKey("f".repeat(64)).open(sealed, ROW_1));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "abc", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0",
            "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            " 0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"})
    void malformedHexKeyIsRejectedWithoutEchoingIt(String hex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretBox.fromHexKey(hex));

        assertEquals("ENCRYPTION_KEY must be 64 hexadecimal characters", e.getMessage());
    }

    @Test
    void loadOrCreateWritesAnOwnerOnlyKeysetAndReadsItBack() throws Exception {
        Path keyset = dataDir.resolve("nested").resolve(SecretBox.KEYSET_FILE_NAME);

        SecretBox first = SecretBox.loadOrCreate(keyset.getParent());
        assertTrue(Files.isRegularFile(keyset));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyset)));
        byte[] sealed = first.seal("fb_key_42", ROW_1);
        String written = Files.readString(keyset);

        SecretBox second = SecretBox.loadOrCreate(keyset.getParent());
        assertEquals("fb_key_42", second.open(sealed, ROW_1));
        assertEquals(written, Files.readString(keyset), "the second start must not replace the keyset");
        assertEquals("fb_key_42", SecretBox.fromKeysetFile(keyset).open(sealed, ROW_1));
    }

    @Test
    void twoGeneratedKeysetsDiffer() {
        byte[] sealed = SecretBox.loadOrCreate(dataDir.resolve("a")).seal("k", ROW_1);
        SecretBox other = SecretBox.loadOrCreate(dataDir.resolve("b"));

        assertThrows(SecretDecryptionException.class, () -> other.open(sealed, ROW_1));
    }

    @Test
    void corruptKeysetFileFailsWithoutQuotingIt() throws Exception {
        Path keyset = dataDir.resolve(SecretBox.KEYSET_FILE_NAME);
        Files.writeString(keyset, "{\"primaryKeyId\": 1, \"key\": [\"value-that-looks-secret\"");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecretBox.loadOrCreate(dataDir));
        assertFalse(e.getMessage().contains("value-that-looks-secret"));
        assertArrayEquals(bytes("{\"primaryKeyId\": 1, \"key\": [\"value-that-looks-secret\""),
                Files.readAllBytes(keyset), "a broken keyset must never be overwritten by a new one");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
