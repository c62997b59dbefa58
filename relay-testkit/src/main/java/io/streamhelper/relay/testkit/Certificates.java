package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes test CAs and server certificates for 127.0.0.1 and localhost with the openssl command:
 * {@link #selfSigned} for the nginx-rtmp destination, {@link #authority} and {@link #leaf} for a
 * server under test that reads certbot-style files (a full chain and a private key).
 */
public final class Certificates {
    private Certificates() {
    }

    /**
     * Let's Encrypt's lifetime: a leaf made for a test that is not about expiry is far from it,
     * so the relay's expiry warnings (under 14 days) stay out of those tests.
     */
    public static final int LEAF_DAYS = 90;

    /** How a leaf's private key is written: the PEM shapes certbot and openssl produce. */
    public enum KeyFormat {
        /** RSA 2048, PKCS#8 "BEGIN PRIVATE KEY" (certbot's privkey.pem). */
        RSA_PKCS8,
        /** RSA 2048, PKCS#1 "BEGIN RSA PRIVATE KEY" (openssl 1.x, older tools). */
        RSA_PKCS1,
        /** P-256, SEC1 "BEGIN EC PRIVATE KEY" (openssl ecparam). */
        EC_SEC1,
        /** P-256, PKCS#8 "BEGIN PRIVATE KEY". */
        EC_PKCS8
    }

    /** A CA's files: give {@link #certificate} to whatever must trust the leaves it signs. */
    public record Authority(Path certificate, Path key) {
    }

    /** A server certificate's files, as certbot names them: the leaf then the CA, and the key. */
    public record Leaf(Path fullChain, Path privateKey) {
    }

    /** Writes a new CA named {@code commonName} into dir as ca.crt and ca.key. */
    public static Authority authority(Path dir, String commonName) throws IOException {
        Tools.require("openssl");
        Files.createDirectories(dir);
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=" + commonName,
                "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new Authority(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    }

    /**
     * Writes {@code <name>.fullchain.pem} and {@code <name>.privkey.pem} into dir: a server
     * certificate for IP:127.0.0.1 and DNS:localhost with subject {@code CN=commonName}, a random
     * serial, signed by {@code ca}.
     */
    public static Leaf leaf(Authority ca, Path dir, String name, String commonName, KeyFormat format) throws IOException {
        return leaf(ca, dir, name, commonName, format, LEAF_DAYS);
    }

    /** As above, valid from now for {@code days} days (notAfter = now + days, to the second). */
    public static Leaf leaf(Authority ca, Path dir, String name, String commonName, KeyFormat format, int days) throws IOException {
        Tools.require("openssl");
        Files.createDirectories(dir);
        Path key = dir.resolve(name + ".privkey.pem");
        Path work = Files.createTempDirectory(dir, name + "-");
        switch (format) {
            case RSA_PKCS8 -> run(work, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem");
            case RSA_PKCS1 -> {
                run(work, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "pkcs8.pem");
                run(work, "openssl", "rsa", "-in", "pkcs8.pem", "-traditional", "-out", "key.pem");
            }
            case EC_SEC1 -> run(work, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem");
            case EC_PKCS8 -> run(work, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem");
        }
        Files.writeString(work.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        run(work, "openssl", "req", "-new", "-key", "key.pem", "-subj", "/CN=" + commonName, "-out", "leaf.csr");
        run(work, "openssl", "x509", "-req", "-in", "leaf.csr", "-CA", ca.certificate().toString(), "-CAkey", ca.key().toString(),
                "-set_serial", "0x" + Long.toHexString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE),
                "-days", Integer.toString(days), "-extfile", "san.ext", "-out", "leaf.crt");
        Path chain = dir.resolve(name + ".fullchain.pem");
        Files.writeString(chain, Files.readString(work.resolve("leaf.crt")) + Files.readString(ca.certificate()));
        Files.copy(work.resolve("key.pem"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new Leaf(chain, key);
    }

    /** Writes ca.crt, ca.key, server.crt and server.key into dir. */
    static void selfSigned(Path dir) throws IOException {
        Tools.require("openssl");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=StreamHelper Test CA",
                "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
