package io.streamhelper.relay.catalog.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes passwords with Argon2id and checks them. Hashes are PHC strings,
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, so each hash carries its own parameters
 * and they can be raised later without invalidating existing accounts.
 */
public final class PasswordHasher {
    /** OWASP's minimum recommendation for Argon2id: 19 MiB, two passes, one lane. */
    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    // Bounds on what verify() accepts, so a damaged or hostile stored string cannot make one
    // login allocate gigabytes or spin for minutes.
    private static final int MAX_MEMORY_KIB = 1024 * 1024;
    private static final int MAX_ITERATIONS = 16;
    private static final int MAX_PARALLELISM = 16;

    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,88})\\$([A-Za-z0-9+/]{22,88})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODE = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();
    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final String dummyHash;

    public PasswordHasher() {
        this(MEMORY_KIB, ITERATIONS, PARALLELISM);
    }

    PasswordHasher(int memoryKib, int iterations, int parallelism) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        // Made with the same parameters as real hashes, so checking against it costs the same.
        this.dummyHash = hash("dummy password for unknown accounts");
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = argon2(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** True if {@code password} matches; false for a wrong password and for any malformed hash. */
    public boolean verify(String password, String encoded) {
        if (password == null || encoded == null) {
            return false;
        }
        Matcher m = PHC.matcher(encoded);
        if (!m.matches()) {
            return false;
        }
        try {
            int memory = Integer.parseInt(m.group(1));
            int passes = Integer.parseInt(m.group(2));
            int lanes = Integer.parseInt(m.group(3));
            if (lanes < 1 || lanes > MAX_PARALLELISM || passes < 1 || passes > MAX_ITERATIONS
                    || memory < 8 * lanes || memory > MAX_MEMORY_KIB) {
                return false;
            }
            byte[] salt = B64_DECODE.decode(m.group(4));
            byte[] expected = B64_DECODE.decode(m.group(5));
            byte[] actual = argon2(password, salt, memory, passes, lanes, expected.length);
            return MessageDigest.isEqual(expected, actual);
        } catch (RuntimeException e) {
            // Bad base64 or a parameter BouncyCastle refuses: not a hash we could have made.
            return false;
        }
    }

    /**
     * Does the work of one {@link #verify} and throws the result away, so a login for an unknown
     * e-mail takes as long as one with a wrong password and does not reveal which accounts exist.
     */
    public void verifyDummy(String password) {
        verify(password == null ? "" : password, dummyHash);
    }

    private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations,
                                 int parallelism, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
