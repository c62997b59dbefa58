package io.streamhelper.relay.catalog.secret;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals stream keys for storage with AES-256-GCM (through Tink). The associated data binds a
 * ciphertext to the row it belongs to, so a ciphertext moved to another row does not open.
 */
public final class SecretBox {
    public static final String KEYSET_FILE_NAME = "secrets.keyset.json";

    private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
    private static final Pattern HEX_KEY = Pattern.compile("[0-9a-fA-F]{64}");

    private final Aead aead;

    private SecretBox(Aead aead) {
        this.aead = aead;
    }

    /**
     * A box around a raw 32-byte key given as 64 hex characters (the {@code ENCRYPTION_KEY} of
     * the original design). Ciphertexts are {@code iv || ciphertext || tag}, without a Tink prefix.
     */
    public static SecretBox fromHexKey(String hex) {
        // The value is a secret: the message must never echo it, not even partly.
        if (hex == null || !HEX_KEY.matcher(hex).matches()) {
            throw new IllegalArgumentException("ENCRYPTION_KEY must be 64 hexadecimal characters");
        }
        try {
            AesGcmParameters parameters = AesGcmParameters.builder()
                    .setKeySizeBytes(32)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
            AesGcmKey key = AesGcmKey.builder()
                    .setParameters(parameters)
                    .setKeyBytes(SecretBytes.copyFrom(HexFormat.of().parseHex(hex), InsecureSecretKeyAccess.get()))
                    .build();
            return new SecretBox(AesGcmJce.create(key));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    /** A box around an AEAD the caller already holds (a test counting what is decrypted, for one). */
    public static SecretBox of(Aead aead) {
        return new SecretBox(Objects.requireNonNull(aead, "aead"));
    }

    /** A box around the primary key of a Tink JSON keyset (cleartext, protected by file permissions). */
    public static SecretBox fromKeysetFile(Path keysetFile) {
        String json;
        try {
            json = Files.readString(keysetFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read keyset file " + keysetFile, e);
        }
        try {
            Configuration aeadOnly = AeadConfig2026.get();
            KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(json, aeadOnly, InsecureSecretKeyAccess.get());
            return new SecretBox(handle.getPrimitive(aeadOnly, Aead.class));
        } catch (GeneralSecurityException | RuntimeException e) {
            // Tink's parse errors may quote the input; keep only the type of failure.
            throw new IllegalStateException("keyset file " + keysetFile + " is not a valid Tink AEAD keyset ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Reads {@code <dataDir>/secrets.keyset.json}, or generates a new AES-256-GCM keyset there
     * that only the owner can read. Losing this file makes every stored key unreadable.
     */
    public static SecretBox loadOrCreate(Path dataDir) {
        Path keysetFile = dataDir.resolve(KEYSET_FILE_NAME);
        if (!Files.exists(keysetFile)) {
            try {
                Files.createDirectories(dataDir);
                writeNewKeyset(keysetFile);
                LOG.info("event=keyset_generated path={}", keysetFile);
            } catch (FileAlreadyExistsException e) {
                // Another process created it between our check and our write: use theirs.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create keyset file " + keysetFile, e);
            }
        }
        return fromKeysetFile(keysetFile);
    }

    private static void writeNewKeyset(Path keysetFile) throws IOException {
        String json;
        try {
            Configuration aeadOnly = AeadConfig2026.get();
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, aeadOnly);
            json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, aeadOnly, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an AES-256-GCM keyset", e);
        }
        // The permissions are part of the create call, so the key is never readable by others,
        // not even for the moment between creating and a chmod.
        FileAttribute<?>[] ownerOnly = supportsPosix(keysetFile.toAbsolutePath().getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (SeekableByteChannel out = Files.newByteChannel(keysetFile,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC),
                ownerOnly)) {
            ByteBuffer bytes = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    private static boolean supportsPosix(Path dir) throws IOException {
        return Files.getFileStore(dir).supportsFileAttributeView("posix");
    }

    /** Encrypts {@code plaintext}; the result opens only with the same {@code associatedData}. */
    public byte[] seal(String plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        try {
            return aead.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), associatedData);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Decrypts a value made by {@link #seal}. */
    public String open(byte[] ciphertext, byte[] associatedData) {
        if (ciphertext == null) {
            throw new SecretDecryptionException("no ciphertext", null);
        }
        try {
            return new String(aead.decrypt(ciphertext, associatedData), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new SecretDecryptionException(
                    "ciphertext does not open with this key and associated data", null);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[AES-256-GCM]";
    }
}
