package io.streamhelper.relay.catalog.store.jdbi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The lookup form of an ingest key. A plain SHA-256 is enough because ingest keys are long random
 * strings, not passwords: there is nothing to guess from the hash.
 */
final class KeyHash {
    private KeyHash() {
    }

    static String of(String key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
