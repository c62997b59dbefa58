package io.streamhelper.relay.rtmp.ingest.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key, read from PEM files and checked to belong together.
 * Only the JDK: PKCS#8 keys are what KeyFactory reads; PKCS#1 RSA and SEC1 EC keys (older
 * openssl, some ACME clients) are wrapped into PKCS#8 first, which is a few bytes of DER.
 */
public record PemCredentials(List<X509Certificate> chain, PrivateKey key) {
    static final String ACCEPTED_KEYS = "PEM \"BEGIN PRIVATE KEY\" (PKCS#8), \"BEGIN RSA PRIVATE KEY\" or "
            + "\"BEGIN EC PRIVATE KEY\", unencrypted";
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /** 1.2.840.113549.1.1.1 rsaEncryption, with its NULL parameters, as a DER AlgorithmIdentifier. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** 1.2.840.10045.2.1 id-ecPublicKey, as a DER OID. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    public PemCredentials {
        chain = List.copyOf(chain);
    }

    /** Never the key: some JDK key classes print their private numbers in toString. */
    @Override
    public String toString() {
        return "PemCredentials[subject=" + leaf().getSubjectX500Principal() + ", chain=" + chain.size() + " certificates, key="
                + key.getAlgorithm() + "]";
    }

    /** The server's own certificate (the chain's first). */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** Reads and checks both files; any problem is an {@link InvalidTlsFilesException} naming the file. */
    public static PemCredentials load(TlsFiles files) {
        List<X509Certificate> chain = readChain(files.certificateChain());
        PrivateKey key = readKey(files.privateKey());
        if (!matches(key, chain.get(0))) {
            throw new InvalidTlsFilesException("the private key in " + files.privateKey()
                    + " does not belong to the first certificate in " + files.certificateChain());
        }
        return new PemCredentials(chain, key);
    }

    private static List<X509Certificate> readChain(Path file) {
        String text = read(file, "certificate");
        try {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new InvalidTlsFilesException("no certificate in " + file + " (expected PEM \"BEGIN CERTIFICATE\" blocks)");
            }
            return certs;
        } catch (CertificateException e) {
            throw new InvalidTlsFilesException("the certificate file " + file
                    + " is not PEM X.509 certificates (\"BEGIN CERTIFICATE\"): " + e.getMessage());
        }
    }

    private static PrivateKey readKey(Path file) {
        Matcher block = BLOCK.matcher(read(file, "private key"));
        while (block.find()) {
            String type = block.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue; // openssl may put "BEGIN EC PARAMETERS" first
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(block.group(2));
            } catch (IllegalArgumentException e) {
                throw new InvalidTlsFilesException("the private key in " + file + " is not valid base64");
            }
            try {
                return switch (type) {
                    case "PRIVATE KEY" -> pkcs8(der);
                    case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(
                            new PKCS8EncodedKeySpec(privateKeyInfo(RSA_ALGORITHM, der)));
                    case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(
                            new PKCS8EncodedKeySpec(privateKeyInfo(ecAlgorithm(der), der)));
                    default -> throw new InvalidTlsFilesException("the private key in " + file + " is \"" + type
                            + "\"; accepted: " + ACCEPTED_KEYS);
                };
            } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
                // The JDK's messages name algorithms and lengths, never key bytes.
                throw new InvalidTlsFilesException("the private key in " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + "); accepted: " + ACCEPTED_KEYS);
            }
        }
        throw new InvalidTlsFilesException("no private key in " + file + "; accepted: " + ACCEPTED_KEYS);
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING privateKey }. */
    private static byte[] privateKeyInfo(byte[] algorithm, byte[] inner) {
        byte[] version = {0x02, 0x01, 0x00};
        return Der.tlv(0x30, Der.concat(version, algorithm, Der.tlv(0x04, inner)));
    }

    /**
     * SEC1 ECPrivateKey ::= SEQUENCE { version, OCTET STRING, [0] curve OID, [1] public key }:
     * the curve goes into the PKCS#8 AlgorithmIdentifier.
     */
    private static byte[] ecAlgorithm(byte[] sec1) throws GeneralSecurityException {
        for (Der.Element e : Der.children(sec1)) {
            if (e.tag() == 0xa0) {
                return Der.tlv(0x30, Der.concat(EC_PUBLIC_KEY, e.content()));
            }
        }
        throw new GeneralSecurityException("EC key without its curve");
    }

    /** Signs random bytes with the key and checks them with the certificate: a mismatch stops here, not at a client. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null || !cert.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            throw new InvalidTlsFilesException("the " + what + " file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
