package io.streamhelper.relay.catalog.secret;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.util.SecretBytes;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals stream keys for storage with AES-256-GCM (through Tink). The associated data binds a
 * ciphertext to the row it belongs to, so a ciphertext moved to another row does not open.
 *
 * <p>A keyring: the primary key seals, every key in the ring opens. A key rotation adds a new
 * primary ({@link #addGeneratedPrimary} or {@link #addRawPrimary}), re-seals every row, then
 * drops the others ({@link #dropAllButPrimary}). This object is the one owner of the keyring in
 * memory and, in keyset-file mode, of the file: each change is written to the file before it is
 * used, so a crash never leaves a row sealed with a key the file does not hold.
 */
public final class SecretBox {
    public static final String KEYSET_FILE_NAME = "secrets.keyset.json";

    /** Where the keys come from; decides what a rotation can change. */
    public enum Mode {
        /** {@code ENCRYPTION_KEY} (and {@code ENCRYPTION_KEY_PREVIOUS}): raw keys, in memory only. */
        RAW_KEY,
        /** A Tink keyset file, rewritten by a rotation. */
        KEYSET_FILE,
        /** An AEAD the caller holds (tests): cannot rotate. */
        FIXED
    }

    private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
    private static final Pattern HEX_KEY = Pattern.compile("[0-9a-fA-F]{64}");

    /** One consistent keyring: swapped whole, so a reader never sees a primary the ring lacks. */
    private record Keys(KeysetHandle handle, Aead all, Aead primary) {
    }

    private final Mode mode;
    private final Path keysetFile; // KEYSET_FILE only
    private volatile Keys keys;
    /**
     * Read side: a write that seals a value and stores it. Write side: a rotation's last pass and
     * the drop of the old keys. A value sealed with a primary therefore reaches the database
     * before that primary can stop being in the ring, whatever the database's own locking does.
     */
    private final ReentrantReadWriteLock sealsInFlight = new ReentrantReadWriteLock();

    private SecretBox(Mode mode, Path keysetFile, Keys keys) {
        this.mode = mode;
        this.keysetFile = keysetFile;
        this.keys = keys;
    }

    /**
     * A box around a raw 32-byte key given as 64 hex characters (the {@code ENCRYPTION_KEY} of
     * the original design). Ciphertexts are {@code iv || ciphertext || tag}, without a Tink prefix.
     */
    public static SecretBox fromHexKey(String hex) {
        return fromHexKeys(hex, Optional.empty());
    }

    /**
     * {@code ENCRYPTION_KEY} seals and opens; {@code previous} ({@code ENCRYPTION_KEY_PREVIOUS})
     * only opens: what a server needs to finish a rotation that was interrupted.
     */
    public static SecretBox fromHexKeys(String hex, Optional<String> previous) {
        try {
            KeysetHandle.Builder ring = KeysetHandle.newBuilder();
            if (previous.isPresent()) {
                ring.addEntry(KeysetHandle.importKey(rawKey(previous.get(), "ENCRYPTION_KEY_PREVIOUS")).withRandomId());
            }
            ring.addEntry(KeysetHandle.importKey(rawKey(hex, "ENCRYPTION_KEY")).withRandomId().makePrimary());
            return new SecretBox(Mode.RAW_KEY, null, keys(ring.build()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    /** A box around an AEAD the caller already holds (a test counting what is decrypted, for one). */
    public static SecretBox of(Aead aead) {
        Objects.requireNonNull(aead, "aead");
        return new SecretBox(Mode.FIXED, null, new Keys(null, aead, aead));
    }

    /** A box around a Tink JSON keyset (cleartext, protected by file permissions): its primary seals, all its keys open. */
    public static SecretBox fromKeysetFile(Path keysetFile) {
        return new SecretBox(Mode.KEYSET_FILE, keysetFile, keys(readKeyset(keysetFile)));
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
                KeysetFiles.createNew(keysetFile, serialize(KeysetHandle.generateNew(
                        PredefinedAeadParameters.AES256_GCM, AeadConfig2026.get())));
                LOG.info("event=keyset_generated path={}", keysetFile);
            } catch (FileAlreadyExistsException e) {
                // Another process created it between our check and our write: use theirs.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create keyset file " + keysetFile, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate an AES-256-GCM keyset", e);
            }
        }
        return fromKeysetFile(keysetFile);
    }

    /** Encrypts {@code plaintext} with the primary key; the result opens only with the same {@code associatedData}. */
    public byte[] seal(String plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        try {
            return keys.primary().encrypt(plaintext.getBytes(StandardCharsets.UTF_8), associatedData);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Runs {@code sealAndStore}, which seals with this box and writes the result to the database,
     * so that a rotation does not drop the key it sealed with before the write lands. Only around
     * the database write: never around a network call. Opening keys (relaying) takes no lock.
     */
    public <T> T sealing(Supplier<T> sealAndStore) {
        sealsInFlight.readLock().lock();
        try {
            return sealAndStore.get();
        } finally {
            sealsInFlight.readLock().unlock();
        }
    }

    /**
     * Runs {@code lastStep} (a rotation's final re-seal pass and {@link #dropAllButPrimary}) once
     * no {@link #sealing} write is in flight, and keeps new ones waiting until it returns.
     */
    public <T> T withNoSealInFlight(Supplier<T> lastStep) {
        sealsInFlight.writeLock().lock();
        try {
            return lastStep.get();
        } finally {
            sealsInFlight.writeLock().unlock();
        }
    }

    /** Decrypts a value made by {@link #seal}, with whichever key of the ring sealed it. */
    public String open(byte[] ciphertext, byte[] associatedData) {
        return open(keys.all(), ciphertext, associatedData);
    }

    /** Whether the primary key alone opens {@code ciphertext}: a row a rotation has nothing left to do for. */
    public boolean opensWithPrimary(byte[] ciphertext, byte[] associatedData) {
        try {
            open(keys.primary(), ciphertext, associatedData);
            return true;
        } catch (SecretDecryptionException e) {
            return false;
        }
    }

    private static String open(Aead aead, byte[] ciphertext, byte[] associatedData) {
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

    public Mode mode() {
        return mode;
    }

    /** How many keys open: more than one while a rotation is under way (or was interrupted). */
    public int keyCount() {
        Keys current = keys;
        return current.handle() == null ? 1 : current.handle().size();
    }

    /** Tink's id of the primary key: a number that names the key without saying anything about it. */
    public int primaryKeyId() {
        Keys current = keys;
        return current.handle() == null ? 0 : current.handle().getPrimary().getId();
    }

    /** What supplies the keys, for messages: {@code ENCRYPTION_KEY} or the keyset file's path. */
    public String source() {
        return switch (mode) {
            case RAW_KEY -> "ENCRYPTION_KEY";
            case KEYSET_FILE -> "the keyset file " + keysetFile;
            case FIXED -> "the configured key";
        };
    }

    /** Whether {@code hex} is the raw key that seals now (a "new" key that is not new). */
    public boolean isPrimaryRawKey(String hex) {
        Keys current = keys;
        if (mode != Mode.RAW_KEY || current.handle() == null) {
            return false;
        }
        return current.handle().getPrimary().getKey().equalsKey(rawKey(hex, "newKey"));
    }

    /**
     * Keyset mode: a new AES-256-GCM key becomes primary; the old keys stay to open. The file is
     * rewritten (old and new keys) before the new key seals anything.
     */
    public synchronized void addGeneratedPrimary() {
        requireMode(Mode.KEYSET_FILE);
        try {
            KeysetHandle current = keys.handle();
            // Generated through the AEAD configuration (Tink's global registry is never set up
            // here); a fresh key whose random id an old key already has is drawn again.
            KeysetHandle.Entry fresh;
            do {
                fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, AeadConfig2026.get()).getPrimary();
            } while (hasId(current, fresh.getId()));
            install(KeysetHandle.newBuilder(current)
                    .addEntry(KeysetHandle.importKey(fresh.getKey()).withFixedId(fresh.getId()).makePrimary())
                    .build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an AES-256-GCM key", e);
        }
    }

    private static boolean hasId(KeysetHandle handle, int id) {
        for (int i = 0; i < handle.size(); i++) {
            if (handle.getAt(i).getId() == id) {
                return true;
            }
        }
        return false;
    }

    /** ENCRYPTION_KEY mode: {@code hex} becomes primary; the old keys stay, in memory, to open. */
    public synchronized void addRawPrimary(String hex) {
        requireMode(Mode.RAW_KEY);
        try {
            install(KeysetHandle.newBuilder(keys.handle())
                    .addEntry(KeysetHandle.importKey(rawKey(hex, "newKey")).withRandomId().makePrimary())
                    .build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    /** Once every row opens with the primary: the other keys go, from the file first, then from memory. */
    public synchronized void dropAllButPrimary() {
        if (mode == Mode.FIXED) {
            return;
        }
        KeysetHandle.Builder ring = KeysetHandle.newBuilder(keys.handle());
        for (int i = ring.size() - 1; i >= 0; i--) {
            if (!ring.getAt(i).isPrimary()) {
                ring.deleteAt(i);
            }
        }
        try {
            install(ring.build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rebuild the keyring", e);
        }
    }

    private void install(KeysetHandle next) {
        if (mode == Mode.KEYSET_FILE) {
            try {
                KeysetFiles.replace(keysetFile, serialize(next));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write keyset file " + keysetFile, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot serialize the keyset", e);
            }
        }
        keys = keys(next);
    }

    private void requireMode(Mode wanted) {
        if (mode != wanted) {
            throw new IllegalStateException("this operation needs " + wanted + " keys, not " + mode);
        }
    }

    private static Keys keys(KeysetHandle handle) {
        try {
            Configuration aeadOnly = AeadConfig2026.get();
            KeysetHandle.Entry primary = handle.getPrimary();
            // A one-key ring of the primary: tells a row sealed with it from one sealed with an older key.
            KeysetHandle primaryOnly = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(primary.getKey()).withFixedId(primary.getId()).makePrimary())
                    .build();
            return new Keys(handle, handle.getPrimitive(aeadOnly, Aead.class),
                    primaryOnly.getPrimitive(aeadOnly, Aead.class));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the keyring is not a usable AEAD keyset (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static KeysetHandle readKeyset(Path keysetFile) {
        String json;
        try {
            json = Files.readString(keysetFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read keyset file " + keysetFile, e);
        }
        try {
            return TinkJsonProtoKeysetFormat.parseKeyset(json, AeadConfig2026.get(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | RuntimeException e) {
            // Tink's parse errors may quote the input; keep only the type of failure.
            throw new IllegalStateException("keyset file " + keysetFile + " is not a valid Tink AEAD keyset ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String serialize(KeysetHandle handle) throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.serializeKeyset(handle, AeadConfig2026.get(), InsecureSecretKeyAccess.get());
    }

    private static AesGcmKey rawKey(String hex, String name) {
        // The value is a secret: the message must never echo it, not even partly.
        if (hex == null || !HEX_KEY.matcher(hex).matches()) {
            throw new IllegalArgumentException(name + " must be 64 hexadecimal characters");
        }
        try {
            AesGcmParameters parameters = AesGcmParameters.builder()
                    .setKeySizeBytes(32)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
            return AesGcmKey.builder()
                    .setParameters(parameters)
                    .setKeyBytes(SecretBytes.copyFrom(HexFormat.of().parseHex(hex), InsecureSecretKeyAccess.get()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[AES-256-GCM]";
    }
}
