package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The only way a test makes a stream key or token. Every key is new, random, shaped like a real
 * one and marked {@code -testonly}, and is appended to {@code target/test-keys/<pid>.txt} of the
 * module under test. relay-logscan, after every module's tests, reads all those files and fails
 * the build if any key appears in any log the tests wrote. A key typed into a test by hand is
 * a key that scan cannot look for.
 *
 * <p>Keys are not registered with the relay's redactor here: what keeps them out of the logs
 * must be what the relay itself does, or the scan would prove nothing.
 */
public final class TestKeys {
    /** Where the keys of this JVM are recorded; relative to the module directory Surefire runs in. */
    public static final String DIR_PROPERTY = "relay.testKeysDir";
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {
    }

    /** A publisher's key for the relay's own ingest, e.g. {@code Xq3v9TzL0bWc7KpR2mYd5NsE-testonly}. */
    public static String ingest() {
        return record(random(24) + "-testonly");
    }

    /** A platform stream key, shaped like YouTube's, e.g. {@code k2xq-9v7m-b0ta-r4pz-testonly}. */
    public static String destination() {
        String lower = ALPHABET.substring(0, 26) + "0123456789";
        return record(random(4, lower) + "-" + random(4, lower) + "-" + random(4, lower) + "-" + random(4, lower) + "-testonly");
    }

    /** A Twitch-shaped stream key, e.g. {@code live_123456789_AbCd...-testonly}: always with digits, as real keys are. */
    public static String twitch() {
        return record("live_" + random(9, "0123456789") + "_" + random(30) + "-testonly");
    }

    /** An ENCRYPTION_KEY: 32 random bytes as 64 hex characters (the setting takes nothing else, so no -testonly mark). */
    public static String encryptionKeyHex() {
        return record(random(64, "0123456789abcdef"));
    }

    /** A bearer token (metrics, API), e.g. {@code 32 letters and digits}-testonly. */
    public static String token() {
        return record(random(32) + "-testonly");
    }

    /**
     * A key or token the relay made and handed to the test (a stream's ingest key, a login
     * token): recorded like the others, so the scan looks for what the server generates too.
     */
    public static String issued(String key) {
        return record(key);
    }

    /** The file this JVM records its keys in. */
    public static Path recordFile() {
        return Path.of(System.getProperty(DIR_PROPERTY, "target/test-keys"))
                .resolve(ProcessHandle.current().pid() + ".txt").toAbsolutePath();
    }

    private static synchronized String record(String key) {
        Path file = recordFile();
        try {
            Files.createDirectories(file.getParent());
            // Written at once, not at exit: a JVM that crashes has still logged whatever it logged.
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a test key in " + file, e);
        }
        return key;
    }

    private static String random(int length) {
        return random(length, ALPHABET);
    }

    private static String random(int length, String alphabet) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
