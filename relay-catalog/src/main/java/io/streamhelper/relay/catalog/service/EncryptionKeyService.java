package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.AuditLog;
import io.streamhelper.relay.catalog.store.Role;
import io.streamhelper.relay.catalog.store.SealedRows;
import io.streamhelper.relay.catalog.store.UserStore;
import io.streamhelper.relay.engine.secret.Secret;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotating the encryption key while the relay runs (docs/security.md, "Rotating the encryption
 * key"): a new primary key seals, every stored value is re-sealed with it, then the old keys go.
 * Until the last step every key stays in the ring (and, in keyset mode, in the file), so a crash
 * at any point leaves every row readable and a second call continues where the first stopped.
 */
public final class EncryptionKeyService {
    private static final Logger LOG = LoggerFactory.getLogger(EncryptionKeyService.class);

    /** What a rotation did. {@code keyId} is Tink's number for the new primary (keyset mode), never key material. */
    public record Rotation(SecretBox.Mode mode, boolean resumed, int keyId, SealedRows.Resealed resealed, String nextStep) {
    }

    private final SecretBox box;
    private final SealedRows rows;
    private final UserStore users;
    private final AuditLog audit;
    /** One rotation at a time: a second one meanwhile is refused (409), not queued. */
    private final AtomicBoolean rotating = new AtomicBoolean();

    public EncryptionKeyService(SecretBox box, SealedRows rows, UserStore users, AuditLog audit) {
        this.box = box;
        this.rows = rows;
        this.users = users;
        this.audit = audit;
    }

    /**
     * Keyset mode: {@code newKey} must be empty; the server generates the key. ENCRYPTION_KEY
     * mode: {@code newKey} is the new 64-hex key the operator will put into ENCRYPTION_KEY; empty
     * only to finish a rotation the ring shows unfinished (started with ENCRYPTION_KEY_PREVIOUS).
     */
    public Rotation rotate(long callerId, Optional<Secret> newKey) {
        boolean admin = users.findById(callerId).map(u -> u.role() == Role.ADMIN).orElse(false);
        if (!admin) {
            throw new ServiceException.Forbidden("only an admin may do this");
        }
        if (!rotating.compareAndSet(false, true)) {
            throw new ServiceException.Conflict("a key rotation is already running");
        }
        try {
            return switch (box.mode()) {
                case KEYSET_FILE -> rotateKeyset(callerId, newKey);
                case RAW_KEY -> rotateRawKey(callerId, newKey);
                case FIXED -> throw new ServiceException.Conflict("this server's key cannot be rotated");
            };
        } finally {
            rotating.set(false);
        }
    }

    private Rotation rotateKeyset(long callerId, Optional<Secret> newKey) {
        if (newKey.isPresent()) {
            throw new ServiceException.InvalidField("newKey",
                    "this server uses a keyset file and generates the new key itself: send no newKey");
        }
        // More than one key: a rotation stopped before its end. Finish it with the primary it
        // installed rather than add yet another key.
        boolean resumed = box.keyCount() > 1;
        if (!resumed) {
            box.addGeneratedPrimary();
        }
        return finish(callerId, resumed, "none: the keyset file holds the new key only");
    }

    private Rotation rotateRawKey(long callerId, Optional<Secret> newKey) {
        boolean resumed;
        if (newKey.isEmpty()) {
            if (box.keyCount() < 2) {
                throw new ServiceException.InvalidField("newKey",
                        "newKey is required with ENCRYPTION_KEY: 64 hexadecimal characters, e.g. from `openssl rand -hex 32`");
            }
            resumed = true;
        } else {
            String hex = newKey.get().reveal();
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw new ServiceException.InvalidField("newKey", "newKey must be 64 hexadecimal characters");
            }
            resumed = box.isPrimaryRawKey(hex);
            if (resumed && box.keyCount() < 2) {
                throw new ServiceException.InvalidField("newKey", "newKey is the key in use: generate a new one");
            }
            if (!resumed) {
                box.addRawPrimary(hex);
            }
        }
        return finish(callerId, resumed, "set ENCRYPTION_KEY to the new key (and remove ENCRYPTION_KEY_PREVIOUS)"
                + " before the next restart: the old key no longer opens this database");
    }

    private Rotation finish(long callerId, boolean resumed, String nextStep) {
        // The bulk of the work beside the API's writes, then a last pass with no seal in flight:
        // a write that sealed with the old primary before it was replaced may commit after the
        // first passes; the last one finds it, and only then may the old keys go. The last pass
        // usually writes nothing, so the API's key writes wait for a read of the sealed columns.
        SealedRows.Resealed first = rows.resealAll();
        SealedRows.Resealed resealed = box.withNoSealInFlight(() -> {
            SealedRows.Resealed last = rows.resealAll();
            box.dropAllButPrimary();
            return first.plus(last);
        });
        // Tink's id names a key of a keyset file; a raw key's id is made up at start-up and says nothing.
        int keyId = box.mode() == SecretBox.Mode.KEYSET_FILE ? box.primaryKeyId() : 0;
        LOG.info("event=encryption_key_rotated mode={} resumed={} key_id={} rows={} streams={} destinations={} already_current={}",
                box.mode().name().toLowerCase(), resumed, Integer.toUnsignedLong(keyId), resealed.rows(), resealed.streams(),
                resealed.destinations(), resealed.alreadyCurrent());
        audit.record(callerId, "rotate-encryption-key", "server", 0, "rows=" + resealed.rows());
        return new Rotation(box.mode(), resumed, keyId, resealed, nextStep);
    }
}
