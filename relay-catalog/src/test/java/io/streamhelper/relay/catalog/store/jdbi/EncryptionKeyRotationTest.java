package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.service.EncryptionKeyService;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.catalog.store.DestinationChange;
import io.streamhelper.relay.catalog.store.KeyMismatchException;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rotating the encryption key over a real SQLite file, checked by opening that file ourselves. */
class EncryptionKeyRotationTest extends StoreTest {
    /** One sealed value as it lies in the file, with the associated data it was sealed for. */
    private record Sealed(String what, byte[] ciphertext, byte[] associatedData) {
    }

    private final Clock clock = Clock.systemUTC();
    private final List<String> streamKeys = new ArrayList<>();
    private final List<String> destinationKeys = new ArrayList<>();
    private long admin;
    private long firstDestination;

    @BeforeEach
    void keysetOnDisk() {
        SecretBox.loadOrCreate(dataDir); // the server's first start: a keyset generated into the data dir
    }

    @Test
    void keysetRotationResealsEveryRowAndTheOldKeysetOpensNone() throws Exception {
        Path keyset = dataDir.resolve(SecretBox.KEYSET_FILE_NAME);
        Path oldKeyset = dataDir.resolve("old-keyset-backup.json");
        SecretBox box = SecretBox.fromKeysetFile(keyset);
        try (Database database = store().open(box, clock)) {
            fill(database);
            Files.copy(keyset, oldKeyset, StandardCopyOption.COPY_ATTRIBUTES);
            int oldId = box.primaryKeyId();
            // What a live relay holds: a destination read before the rotation, its key not opened yet.
            Secret readBefore = database.destinations().findById(firstDestination).orElseThrow().streamKey();

            EncryptionKeyService.Rotation rotation = service(database, box).rotate(admin, Optional.empty());

            assertEquals(2, rotation.resealed().streams());
            assertEquals(3, rotation.resealed().destinations(), "the deleted destination holds no key to re-seal");
            assertEquals(1, rotation.resealed().keyCheck());
            assertFalse(rotation.resumed());
            assertNotEquals(oldId, rotation.keyId());
            assertEquals(1, SecretBox.fromKeysetFile(keyset).keyCount(), "the old key left the file");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyset)));
            // Still served, through the stores, with the new key.
            for (String key : streamKeys) {
                assertTrue(database.streams().findByKey(key).isPresent());
            }
            assertEquals(Secret.of(destinationKeys.get(0)),
                    database.destinations().findById(firstDestination).orElseThrow().streamKey());
            assertEquals(destinationKeys.get(0), readBefore.reveal(), "a relay that read its key before still dials");
        }
        List<Sealed> sealed = sealedValues();
        assertEquals(6, sealed.size());
        SecretBox old = SecretBox.fromKeysetFile(oldKeyset);
        SecretBox current = SecretBox.fromKeysetFile(keyset);
        for (Sealed value : sealed) {
            assertThrows(SecretDecryptionException.class, () -> old.open(value.ciphertext(), value.associatedData()),
                    value.what() + " still opens with the old key");
            current.open(value.ciphertext(), value.associatedData());
        }
        // And the new keyset starts the server again.
        try (Database reopened = store().open(current, clock)) {
            assertTrue(reopened.streams().findByKey(streamKeys.get(1)).isPresent());
        }
    }

    @Test
    void aKeyChangedThroughTheApiDuringTheRotationIsNotOverwritten() throws Exception {
        SecretBox box = SecretBox.fromKeysetFile(dataDir.resolve(SecretBox.KEYSET_FILE_NAME));
        try (Database database = store().open(box, clock)) {
            fill(database);
            SecretBox old = SecretBox.fromKeysetFile(dataDir.resolve(SecretBox.KEYSET_FILE_NAME));
            String changedKey = TestKeys.destination();
            String staleKey = TestKeys.destination();
            long secondDestination = firstDestination + 1;
            AtomicInteger writes = new AtomicInteger();
            Runnable apiMeanwhile = () -> {
                if (writes.incrementAndGet() == 3) { // after the key check and the streams, before the destinations
                    // An owner changes a key between the rotation's read and its write...
                    database.destinations().update(firstDestination, new DestinationChange(
                            Optional.empty(), Optional.of(Secret.of(changedKey)), Optional.empty(), Optional.empty()));
                    // ...and a request that sealed before the new key existed commits only now.
                    byte[] sealedWithOld = old.seal(staleKey, ("destination:" + secondDestination + ":owner:" + admin)
                            .getBytes(StandardCharsets.UTF_8));
                    rawUpdate("UPDATE stream_destinations SET stream_key_ciphertext = ? WHERE id = ?", sealedWithOld,
                            secondDestination);
                }
            };
            EncryptionKeyService service = new EncryptionKeyService(box, rows(box, apiMeanwhile),
                    database.users(), database.audit());

            service.rotate(admin, Optional.empty());

            assertEquals(Secret.of(changedKey), database.destinations().findById(firstDestination).orElseThrow().streamKey());
            assertEquals(Secret.of(staleKey), database.destinations().findById(secondDestination).orElseThrow().streamKey(),
                    "a value sealed with the old key meanwhile was re-sealed by a later pass");
            for (Sealed value : sealedValues()) {
                assertThrows(SecretDecryptionException.class, () -> old.open(value.ciphertext(), value.associatedData()));
            }
        }
    }

    @Test
    void anInterruptedRotationLeavesEveryRowReadableAndASecondCallFinishesIt() throws Exception {
        Path keyset = dataDir.resolve(SecretBox.KEYSET_FILE_NAME);
        SecretBox old = SecretBox.fromKeysetFile(keyset);
        SecretBox box = SecretBox.fromKeysetFile(keyset);
        try (Database database = store().open(box, clock)) {
            fill(database);
            AtomicInteger writes = new AtomicInteger();
            Runnable crashAfterTheKeyCheck = () -> {
                if (writes.incrementAndGet() == 2) {
                    throw new IllegalStateException("power cut");
                }
            };
            EncryptionKeyService crashing = new EncryptionKeyService(box, rows(box, crashAfterTheKeyCheck),
                    database.users(), database.audit());
            assertThrows(IllegalStateException.class, () -> crashing.rotate(admin, Optional.empty()));
        }
        assertEquals(2, SecretBox.fromKeysetFile(keyset).keyCount(), "old and new key on disk");
        assertThrows(KeyMismatchException.class, () -> store().open(old, clock),
                "the key check already needs the new key");

        // The restart: on the keyset on disk, every row opens.
        SecretBox restarted = SecretBox.fromKeysetFile(keyset);
        try (Database database = store().open(restarted, clock)) {
            for (String key : streamKeys) {
                assertTrue(database.streams().findByKey(key).isPresent());
            }
            for (var destination : database.destinations().listByOwner(admin)) {
                assertTrue(destinationKeys.contains(destination.streamKey().reveal()));
            }
            EncryptionKeyService.Rotation second = service(database, restarted).rotate(admin, Optional.empty());
            assertTrue(second.resumed());
            assertEquals(2, second.resealed().streams());
        }
        assertEquals(1, SecretBox.fromKeysetFile(keyset).keyCount());
        for (Sealed value : sealedValues()) {
            assertThrows(SecretDecryptionException.class, () -> old.open(value.ciphertext(), value.associatedData()));
        }
    }

    @Test
    void aSecondRotationWhileOneRunsIsAConflictAndOnlyAdminsMayRotate() throws Exception {
        SecretBox box = SecretBox.fromKeysetFile(dataDir.resolve(SecretBox.KEYSET_FILE_NAME));
        try (Database database = store().open(box, clock)) {
            fill(database);
            long user = database.users().register("bob@example.com", "hash").id();
            List<RuntimeException> second = new ArrayList<>();
            EncryptionKeyService[] service = new EncryptionKeyService[1];
            Runnable secondCall = () -> {
                if (second.isEmpty()) {
                    second.add(assertThrows(ServiceException.Conflict.class,
                            () -> service[0].rotate(admin, Optional.empty())));
                }
            };
            service[0] = new EncryptionKeyService(box, rows(box, secondCall), database.users(), database.audit());

            assertThrows(ServiceException.Forbidden.class, () -> service[0].rotate(user, Optional.empty()));
            service[0].rotate(admin, Optional.empty());
            assertEquals(1, second.size());
        }
    }

    @Test
    void aServerStartedWithTheWrongKeyRefusesWithAClearMessage() throws Exception {
        String key = TestKeys.encryptionKeyHex();
        try (Database database = store().open(SecretBox.fromHexKey(key), clock)) {
            fill(database);
        }
        KeyMismatchException refused = assertThrows(KeyMismatchException.class, () -> store().open(SecretBox.fromHexKey(TestKeys.encryptionKeyHex()), clock));
        assertTrue(refused.getMessage().startsWith("ENCRYPTION_KEY does not open this database: was the key rotated?"),
                refused.getMessage());

        // A database from before the key check gets one at its next start.
        rawUpdate("DELETE FROM key_check");
        store().open(SecretBox.fromHexKey(key), clock).close();
        assertEquals(1, sealedValues().stream().filter(v -> v.what().startsWith("key_check")).count());
        assertThrows(KeyMismatchException.class, () -> store().open(SecretBox.fromHexKey(TestKeys.encryptionKeyHex()), clock));
    }

    @Test
    void encryptionKeyModeResealsWithTheGivenKeyAndTheOldOneNoLongerStarts() throws Exception {
        String oldKey = TestKeys.encryptionKeyHex();
        String newKey = TestKeys.encryptionKeyHex();
        SecretBox box = SecretBox.fromHexKey(oldKey);
        try (Database database = store().open(box, clock)) {
            fill(database);
            EncryptionKeyService service = service(database, box);
            assertThrows(ServiceException.InvalidField.class, () -> service.rotate(admin, Optional.empty()));
            assertThrows(ServiceException.InvalidField.class, () -> service.rotate(admin, Optional.of(Secret.of(oldKey))));

            EncryptionKeyService.Rotation rotation = service.rotate(admin, Optional.of(Secret.of(newKey)));

            assertEquals(6, rotation.resealed().rows());
            assertTrue(rotation.nextStep().contains("ENCRYPTION_KEY"));
            assertEquals(1, box.keyCount(), "the old key left memory");
            assertTrue(database.streams().findByKey(streamKeys.get(0)).isPresent());
        }
        SecretBox old = SecretBox.fromHexKey(oldKey);
        for (Sealed value : sealedValues()) {
            assertThrows(SecretDecryptionException.class, () -> old.open(value.ciphertext(), value.associatedData()));
        }
        assertThrows(KeyMismatchException.class, () -> store().open(old, clock));
        store().open(SecretBox.fromHexKey(newKey), clock).close();
        // ENCRYPTION_KEY_PREVIOUS beside the new key starts too (what an interrupted rotation needs).
        store().open(SecretBox.fromHexKeys(newKey, Optional.of(oldKey)), clock).close();
    }

    @Test
    void encryptionKeyModeFinishesAnInterruptedRotationAfterARestartWithThePreviousKey() throws Exception {
        String oldKey = TestKeys.encryptionKeyHex();
        String newKey = TestKeys.encryptionKeyHex();
        SecretBox box = SecretBox.fromHexKey(oldKey);
        try (Database database = store().open(box, clock)) {
            fill(database);
            AtomicInteger writes = new AtomicInteger();
            EncryptionKeyService crashing = new EncryptionKeyService(box, rows(box, () -> {
                if (writes.incrementAndGet() == 2) {
                    throw new IllegalStateException("power cut");
                }
            }), database.users(), database.audit());
            assertThrows(IllegalStateException.class, () -> crashing.rotate(admin, Optional.of(Secret.of(newKey))));
        }
        assertThrows(KeyMismatchException.class,
                () -> store().open(SecretBox.fromHexKey(oldKey), clock));

        SecretBox restarted = SecretBox.fromHexKeys(newKey, Optional.of(oldKey));
        try (Database database = store().open(restarted, clock)) {
            EncryptionKeyService.Rotation rotation = service(database, restarted).rotate(admin, Optional.empty());
            assertTrue(rotation.resumed());
            assertEquals(5, rotation.resealed().rows(), "the streams and destinations the crash left behind");
        }
        SecretBox old = SecretBox.fromHexKey(oldKey);
        for (Sealed value : sealedValues()) {
            assertThrows(SecretDecryptionException.class, () -> old.open(value.ciphertext(), value.associatedData()));
        }
    }

    /**
     * A destination key changed through the API while a rotation runs, sealed with the old
     * primary just before the rotation installed the new one, and written only after the rotation
     * had every chance to finish its passes and drop the old key: it must still open afterwards.
     */
    @Test
    void aKeySealedWithTheOldPrimaryAndWrittenAfterTheLastPassStillOpens() throws Exception {
        SecretBox box = SecretBox.fromKeysetFile(dataDir.resolve(SecretBox.KEYSET_FILE_NAME));
        try (Database database = store().open(box, clock)) {
            fill(database);
            CountDownLatch sealed = new CountDownLatch(1);
            CountDownLatch write = new CountDownLatch(1);
            JdbiDestinationStore api = new JdbiDestinationStore(serverJdbi(), Sealing.destinations(box), clock, () -> {
                sealed.countDown();
                await(write);
            });
            String key = TestKeys.destination();
            CompletableFuture<Long> created = CompletableFuture.supplyAsync(() -> api.update(firstDestination,
                    new DestinationChange(Optional.empty(), Optional.of(Secret.of(key)), Optional.empty(), Optional.empty())).id());
            await(sealed); // sealed with the primary of before the rotation, not written yet

            CompletableFuture<EncryptionKeyService.Rotation> rotation = CompletableFuture.supplyAsync(
                    () -> service(database, box).rotate(admin, Optional.empty()));
            // The write goes on once the rotation had its chance to finish without it: either it
            // finished (and dropped the key the write sealed with), or it waits for the write.
            try {
                rotation.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException waitsForTheWrite) {
                // it cannot drop the old key while a value sealed with it is on its way
            }
            write.countDown();
            long id = created.get(10, TimeUnit.SECONDS);
            rotation.get(10, TimeUnit.SECONDS);

            assertEquals(1, box.keyCount(), "the rotation dropped the old key");
            assertEquals(key, database.destinations().findById(id).orElseThrow().streamKey().reveal(), "the key opens");
            SecretBox current = SecretBox.fromKeysetFile(dataDir.resolve(SecretBox.KEYSET_FILE_NAME));
            for (Sealed value : sealedValues()) {
                current.open(value.ciphertext(), value.associatedData());
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("not reached within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A second pool over the same database, set up as the server's own (for SQLite: WAL, BEGIN
     * IMMEDIATE, busy timeout; PostgreSQL needs nothing of the kind).
     */
    private Jdbi serverJdbi() {
        if (backend() != StoreBackend.SQLITE) {
            return store().jdbi();
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(5_000);
        config.enforceForeignKeys(true);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + dataDir.resolve(DatabaseSettings.SQLITE_FILE_NAME));
        return Jdbi.create(source);
    }

    /** Two streams, four destinations of which one is deleted: the rows a rotation walks. */
    private void fill(Database database) {
        admin = database.users().register("ada@example.com", "hash").id();
        for (int s = 0; s < 2; s++) {
            String key = TestKeys.ingest();
            streamKeys.add(key);
            long stream = database.streams().create(admin, "Stream " + s, Secret.of(key)).id();
            for (int d = 0; d < 2; d++) {
                String destinationKey = TestKeys.destination();
                destinationKeys.add(destinationKey);
                long id = database.destinations().create(stream, admin, "twitch", true, "rtmp://t/app",
                        Secret.of(destinationKey), "D").id();
                if (s == 0 && d == 0) {
                    firstDestination = id;
                }
            }
        }
        database.destinations().delete(firstDestination + 3);
        destinationKeys.remove(3);
    }

    private EncryptionKeyService service(Database database, SecretBox box) {
        return new EncryptionKeyService(box, database.sealedRows(), database.users(), database.audit());
    }

    /** The rotation's rows over a second connection to the same database, with a hook before each write. */
    private JdbiSealedRows rows(SecretBox box, Runnable beforeWrite) {
        Jdbi jdbi = store().jdbi();
        return new JdbiSealedRows(jdbi, box, beforeWrite);
    }

    /** Every ciphertext in the file, read with a plain JDBC connection, as someone holding a backup could. */
    private List<Sealed> sealedValues() throws Exception {
        List<Sealed> values = new ArrayList<>();
        Map<String, String> queries = Map.of(
                "stream", "SELECT id, owner_id, key_ciphertext FROM streams WHERE key_ciphertext IS NOT NULL",
                "destination", "SELECT id, owner_id, stream_key_ciphertext FROM stream_destinations"
                        + " WHERE stream_key_ciphertext IS NOT NULL",
                "key_check", "SELECT id, 0, ciphertext FROM key_check");
        try (Connection raw = store().raw(); Statement sql = raw.createStatement()) {
            for (var query : queries.entrySet()) {
                try (ResultSet rs = sql.executeQuery(query.getValue())) {
                    while (rs.next()) {
                        String what = query.getKey() + ":" + rs.getLong(1) + ":owner:" + rs.getLong(2);
                        values.add(new Sealed(what, rs.getBytes(3), what.getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
        }
        return values;
    }

    private void rawUpdate(String statement, Object... values) {
        try (Connection raw = store().raw(); var sql = raw.prepareStatement(statement)) {
            for (int i = 0; i < values.length; i++) {
                sql.setObject(i + 1, values[i]);
            }
            sql.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
