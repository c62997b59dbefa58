package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DestinationStore;
import io.streamhelper.relay.catalog.store.StoreException;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.catalog.store.StreamStore;
import io.streamhelper.relay.testkit.ManualClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiStreamStoreTest extends StoreTest {
    private static final Instant START = Instant.parse("2026-02-03T04:05:06Z");

    private final ManualClock clock = new ManualClock(START);
    private Database database;
    private StreamStore streams;
    private DestinationStore destinations;
    private long ada;
    private long bob;

    @BeforeEach
    void open() {
        database = store().open(clock);
        streams = database.streams();
        destinations = database.destinations();
        ada = database.users().register("ada@example.com", "hash").id();
        bob = database.users().register("bob@example.com", "hash").id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aCreatedStreamIsFoundByIdAndByKey() {
        StreamRecord created = streams.create(ada, "Main", Secret.of("sk_live_aaaa1111"));

        assertEquals(new StreamRecord(created.id(), ada, "Main", Secret.of("sk_live_aaaa1111"), false, START, START),
                created);
        assertEquals(created, streams.findById(created.id()).orElseThrow());
        assertEquals(created, streams.findByKey("sk_live_aaaa1111").orElseThrow());
        assertTrue(streams.findByKey("sk_live_aaaa1112").isEmpty());
        assertTrue(streams.findById(created.id() + 100).isEmpty());
    }

    @Test
    void listsAreByOwnerOrAllAndOrderedById() {
        StreamRecord a1 = streams.create(ada, "a1", Secret.of("key-a1"));
        StreamRecord b1 = streams.create(bob, "b1", Secret.of("key-b1"));
        StreamRecord a2 = streams.create(ada, "a2", Secret.of("key-a2"));

        assertEquals(List.of(a1, a2), streams.listByOwner(ada));
        assertEquals(List.of(b1), streams.listByOwner(bob));
        assertEquals(List.of(a1, b1, a2), streams.listAll());
        assertEquals(3, streams.count(), "the count the start-up banner prints is over every account");
    }

    @Test
    void twoStreamsCannotShareAnIngestKey() {
        streams.create(ada, "first", Secret.of("shared-key"));

        StoreException e = assertThrows(StoreException.class, () -> streams.create(bob, "second", Secret.of("shared-key")));
        // Neither the key nor its hash, anywhere in the chain a log line would print.
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("shared-key"), t.toString());
            assertFalse(String.valueOf(t.getMessage()).contains(KeyHash.of("shared-key")), t.toString());
        }
        assertEquals(1, streams.listAll().size(), "the failed create left nothing behind");
    }

    @Test
    void rotateKeyRetiresTheOldKey() {
        StreamRecord stream = streams.create(ada, "Main", Secret.of("old-key-0001"));
        clock.advance(Duration.ofMillis(1_000));

        StreamRecord rotated = streams.rotateKey(stream.id(), Secret.of("new-key-0002"));

        assertEquals(Secret.of("new-key-0002"), rotated.key());
        assertEquals(START.plusMillis(1_000), rotated.updatedAt());
        assertTrue(streams.findByKey("old-key-0001").isEmpty());
        assertEquals(rotated, streams.findByKey("new-key-0002").orElseThrow());
        assertEquals(rotated, streams.findById(stream.id()).orElseThrow());
        assertThrows(NoSuchElementException.class, () -> streams.rotateKey(999, Secret.of("x")));
    }

    @Test
    void deleteHidesTheStreamAndItsDestinationsAndFreesTheKey() {
        StreamRecord stream = streams.create(ada, "Main", Secret.of("doomed-key"));
        StreamRecord other = streams.create(ada, "Other", Secret.of("other-key"));
        long d1 = destinations.create(stream.id(), ada, "twitch", true, "rtmp://twitch/app", Secret.of("tw"), "T").id();
        destinations.create(stream.id(), ada, "youtube", true, "rtmp://yt/app", Secret.of("yt"), "Y");
        long kept = destinations.create(other.id(), ada, "kick", true, "rtmp://kick/app", Secret.of("kk"), "K").id();

        assertTrue(streams.delete(stream.id()));

        assertTrue(streams.findById(stream.id()).isEmpty());
        assertTrue(streams.findByKey("doomed-key").isEmpty());
        assertEquals(List.of(other), streams.listByOwner(ada));
        assertEquals(List.of(other), streams.listAll());
        assertEquals(1, streams.count(), "a deleted stream is not counted");
        assertTrue(destinations.findById(d1).isEmpty());
        assertTrue(destinations.listByStream(stream.id()).isEmpty());
        assertEquals(List.of(kept), destinations.listByOwner(ada).stream().map(d -> d.id()).toList());
        assertFalse(destinations.delete(d1), "already deleted with its stream");
        assertFalse(streams.delete(stream.id()), "deleting twice reports nothing deleted");
        assertFalse(streams.delete(999));
        assertThrows(NoSuchElementException.class, () -> streams.rotateKey(stream.id(), Secret.of("again")));

        StreamRecord reborn = streams.create(ada, "Reborn", Secret.of("doomed-key"));
        assertEquals(reborn, streams.findByKey("doomed-key").orElseThrow());
    }

    @Test
    void liveFlagAndStartUpRecovery() {
        StreamRecord a = streams.create(ada, "a", Secret.of("ka"));
        StreamRecord b = streams.create(ada, "b", Secret.of("kb"));
        streams.create(ada, "c", Secret.of("kc"));

        streams.setLive(a.id(), true);
        streams.setLive(b.id(), true);
        assertTrue(streams.findById(a.id()).orElseThrow().live());
        assertEquals(START, streams.findById(a.id()).orElseThrow().updatedAt(), "going live is not an edit");

        assertEquals(2, streams.clearAllLive());
        assertFalse(streams.findById(a.id()).orElseThrow().live());
        assertEquals(0, streams.clearAllLive());
    }

    @Test
    void startUpRecoveryLeavesTheStreamsLiveOnAnotherNode() {
        StreamRecord here = streams.create(ada, "here", Secret.of("kh"));
        StreamRecord elsewhere = streams.create(ada, "elsewhere", Secret.of("ke"));
        streams.setLive(here.id(), true);
        streams.setLive(elsewhere.id(), true);

        assertEquals(1, streams.clearAllLiveExcept(java.util.Set.of(elsewhere.id())));
        assertFalse(streams.findById(here.id()).orElseThrow().live());
        assertTrue(streams.findById(elsewhere.id()).orElseThrow().live(), "another node relays it");
    }

    @Test
    void aCiphertextCopiedFromAnotherStreamDoesNotDecrypt() throws Exception {
        StreamRecord victim = streams.create(ada, "victim", Secret.of("victim-key-123"));
        StreamRecord attacker = streams.create(bob, "attacker", Secret.of("attacker-key-456"));
        StreamRecord sibling = streams.create(ada, "sibling", Secret.of("sibling-key-789"));

        try (Connection raw = store().raw(); Statement sql = raw.createStatement()) {
            sql.executeUpdate("UPDATE streams SET key_ciphertext = (SELECT key_ciphertext FROM streams WHERE id = "
                    + victim.id() + ") WHERE id IN (" + attacker.id() + ", " + sibling.id() + ")");
        }

        for (long id : new long[] {attacker.id(), sibling.id()}) {
            StoreException e = assertThrows(StoreException.class, () -> streams.findById(id));
            assertTrue(e.getCause() instanceof SecretDecryptionException);
            assertFalse(String.valueOf(e).contains("victim-key-123"));
        }
        assertThrows(StoreException.class, () -> streams.findByKey("attacker-key-456"));
        assertThrows(StoreException.class, () -> streams.listByOwner(bob));
        assertEquals(Secret.of("victim-key-123"), streams.findById(victim.id()).orElseThrow().key());
    }
}
