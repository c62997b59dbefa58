package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.KeyMismatchException;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up key check: one row ({@code key_check}) sealed with the primary key. A server
 * whose keys do not open it would fail at the first publish; it refuses to start instead.
 */
public final class JdbiKeyCheck {
    private static final Logger LOG = LoggerFactory.getLogger(JdbiKeyCheck.class);
    /** Not a secret: only proves that a key opens what it sealed. */
    static final String PLAINTEXT = "streamhelper-relay key check";
    static final long ID = 1;
    static final long NO_OWNER = 0;

    private JdbiKeyCheck() {
    }

    /**
     * Checks the row, or writes it on a database that has none yet (created before the check
     * existed, or new). A row only an older key of the ring opens (a rotation interrupted right
     * after it added the key) is sealed again with the primary.
     *
     * @throws KeyMismatchException if no key of {@code box} opens it
     */
    public static void verifyOrCreate(Jdbi jdbi, SecretBox box) {
        Sealing sealing = Sealing.keyCheck(box);
        Optional<byte[]> stored = Sql.guard("read the key check", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT ciphertext FROM key_check WHERE id = :id")
                .bind("id", ID)
                .mapTo(byte[].class)
                .findOne()));
        if (stored.isEmpty()) {
            byte[] sealed = sealing.sealValue(PLAINTEXT, ID, NO_OWNER);
            Sql.guardRun("write the key check", () -> jdbi.useHandle(handle -> handle
                    .createUpdate("INSERT INTO key_check (id, ciphertext) VALUES (:id, :ciphertext)")
                    .bind("id", ID)
                    .bind("ciphertext", sealed)
                    .execute()));
            LOG.info("event=key_check_created");
            return;
        }
        if (!sealing.opens(stored.get(), ID, NO_OWNER)) {
            throw new KeyMismatchException(box.source() + " does not open this database: was the key rotated?"
                    + " Start with the key the last rotation installed (see docs/security.md, Rotating the encryption key).");
        }
        byte[] resealed = sealing.resealIfOld(stored.get(), ID, NO_OWNER);
        if (resealed != null) {
            Sql.guardRun("re-seal the key check", () -> jdbi.useHandle(handle -> handle
                    .createUpdate("UPDATE key_check SET ciphertext = :fresh WHERE id = :id AND ciphertext = :old")
                    .bind("fresh", resealed)
                    .bind("id", ID)
                    .bind("old", stored.get())
                    .execute()));
        }
        if (box.keyCount() > 1) {
            LOG.warn("event=encryption_key_rotation_unfinished keys={} hint=\"POST /api/v1/admin/encryption-key/rotate finishes it\"",
                    box.keyCount());
        }
    }
}
