package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DestinationChange;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.DestinationStore;
import io.streamhelper.relay.catalog.store.StoreException;
import io.streamhelper.relay.testkit.ManualClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiDestinationStoreTest extends StoreTest {
    private static final Instant START = Instant.parse("2026-02-03T04:05:06Z");

    private final ManualClock clock = new ManualClock(START);
    private Database database;
    private DestinationStore destinations;
    private long ada;
    private long bob;
    private long adaStream;
    private long bobStream;

    @BeforeEach
    void open() {
        database = store().open(clock);
        destinations = database.destinations();
        ada = database.users().register("ada@example.com", "hash").id();
        bob = database.users().register("bob@example.com", "hash").id();
        adaStream = database.streams().create(ada, "ada", Secret.of("ingest-ada")).id();
        bobStream = database.streams().create(bob, "bob", Secret.of("ingest-bob")).id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void createFindAndList() {
        DestinationRecord twitch = destinations.create(adaStream, ada, "twitch", true,
                "rtmp://live.twitch.tv/app", Secret.of("live_tw_1"), "Twitch");
        DestinationRecord custom = destinations.create(bobStream, bob, "custom", false,
                "rtmp://example.net/live", Secret.of("custom_2"), null);
        DestinationRecord youtube = destinations.create(adaStream, ada, "youtube", true,
                "rtmp://a.rtmp.youtube.com/live2", Secret.of("yt_3"), "YouTube");

        assertEquals(new DestinationRecord(twitch.id(), adaStream, ada, "twitch", true, "rtmp://live.twitch.tv/app",
                Secret.of("live_tw_1"), "Twitch", START, START), twitch);
        assertEquals(twitch, destinations.findById(twitch.id()).orElseThrow());
        assertEquals(custom, destinations.findById(custom.id()).orElseThrow());
        assertEquals(List.of(twitch, youtube), destinations.listByStream(adaStream));
        assertEquals(List.of(twitch, youtube), destinations.listByOwner(ada));
        assertEquals(List.of(custom), destinations.listByOwner(bob));
        assertTrue(destinations.findById(999).isEmpty());
    }

    @Test
    void aDestinationBelongsToALiveStreamOfTheSameOwner() {
        assertThrows(NoSuchElementException.class, () -> destinations.create(bobStream, ada, "twitch", true,
                "rtmp://x/app", Secret.of("k"), "X"));
        assertThrows(NoSuchElementException.class, () -> destinations.create(999, ada, "twitch", true,
                "rtmp://x/app", Secret.of("k"), "X"));
        database.streams().delete(adaStream);
        assertThrows(NoSuchElementException.class, () -> destinations.create(adaStream, ada, "twitch", true,
                "rtmp://x/app", Secret.of("k"), "X"));
        assertTrue(destinations.listByOwner(ada).isEmpty());
    }

    @Test
    void updateChangesOnlyThePresentFields() {
        DestinationRecord created = destinations.create(adaStream, ada, "twitch", true,
                "rtmp://live.twitch.tv/app", Secret.of("live_tw_1"), "Twitch");
        clock.advance(Duration.ofMillis(5_000));

        DestinationRecord disabled = destinations.update(created.id(),
                new DestinationChange(Optional.of(false), Optional.empty(), Optional.empty(), Optional.empty()));
        assertEquals(new DestinationRecord(created.id(), adaStream, ada, "twitch", false, "rtmp://live.twitch.tv/app",
                Secret.of("live_tw_1"), "Twitch", START, START.plusMillis(5_000)), disabled);

        clock.advance(Duration.ofMillis(5_000));
        DestinationRecord rekeyed = destinations.update(created.id(), new DestinationChange(Optional.empty(),
                Optional.of(Secret.of("live_tw_NEW")), Optional.of("rtmp://eu.twitch.tv/app"), Optional.of("EU")));
        assertEquals(new DestinationRecord(created.id(), adaStream, ada, "twitch", false, "rtmp://eu.twitch.tv/app",
                Secret.of("live_tw_NEW"), "EU", START, START.plusMillis(10_000)), rekeyed);
        assertEquals(rekeyed, destinations.findById(created.id()).orElseThrow());

        clock.advance(Duration.ofMillis(5_000));
        DestinationRecord touched = destinations.update(created.id(), DestinationChange.none());
        assertEquals(START.plusMillis(15_000), touched.updatedAt());
        assertEquals(Secret.of("live_tw_NEW"), touched.streamKey());

        assertThrows(NoSuchElementException.class, () -> destinations.update(999, DestinationChange.none()));
    }

    @Test
    void deleteHidesTheDestination() {
        DestinationRecord gone = destinations.create(adaStream, ada, "twitch", true, "rtmp://t/app", Secret.of("a"), "A");
        DestinationRecord kept = destinations.create(adaStream, ada, "kick", true, "rtmp://k/app", Secret.of("b"), "B");

        assertTrue(destinations.delete(gone.id()));

        assertTrue(destinations.findById(gone.id()).isEmpty());
        assertEquals(List.of(kept), destinations.listByStream(adaStream));
        assertEquals(List.of(kept), destinations.listByOwner(ada));
        assertEquals(1, destinations.countByStream(adaStream));
        assertEquals(1, destinations.countByOwner(ada));
        assertFalse(destinations.delete(gone.id()));
        assertFalse(destinations.delete(999));
        assertThrows(NoSuchElementException.class, () -> destinations.update(gone.id(), DestinationChange.none()));
    }

    @Test
    void aCiphertextCopiedFromAnotherDestinationDoesNotDecrypt() throws Exception {
        DestinationRecord victim = destinations.create(adaStream, ada, "twitch", true, "rtmp://t/app",
                Secret.of("victim_dest_key"), "V");
        DestinationRecord sameOwner = destinations.create(adaStream, ada, "youtube", true, "rtmp://y/app",
                Secret.of("own_dest_key"), "O");
        DestinationRecord otherOwner = destinations.create(bobStream, bob, "kick", true, "rtmp://k/app",
                Secret.of("bob_dest_key"), "B");

        try (Connection raw = store().raw(); Statement sql = raw.createStatement()) {
            sql.executeUpdate("UPDATE stream_destinations SET stream_key_ciphertext = (SELECT stream_key_ciphertext"
                    + " FROM stream_destinations WHERE id = " + victim.id() + ") WHERE id IN ("
                    + sameOwner.id() + ", " + otherOwner.id() + ")");
        }

        // Records come with their keys sealed: the copied ciphertext fails where the key is used.
        for (long id : new long[] {sameOwner.id(), otherOwner.id()}) {
            Secret key = destinations.findById(id).orElseThrow().streamKey();
            StoreException e = assertThrows(StoreException.class, key::reveal);
            assertTrue(e.getCause() instanceof SecretDecryptionException);
            assertFalse(String.valueOf(e).contains("victim_dest_key"));
        }
        assertThrows(StoreException.class, () -> destinations.listByOwner(bob).get(0).streamKey().reveal());
        assertThrows(StoreException.class, () -> destinations.listByStream(adaStream).get(1).streamKey().reveal());
        // Counting (the per-stream and per-user limits) opens no key, so a bad row does not block it.
        assertEquals(2, destinations.countByStream(adaStream));
        assertEquals(1, destinations.countByOwner(bob));
        assertEquals(Secret.of("victim_dest_key"), destinations.findById(victim.id()).orElseThrow().streamKey());
    }

    /** V4: a restriction to video codecs is stored, read back, changed and lifted; rows without one have none. */
    @Test
    void videoCodecsAreStoredChangedAndLifted() {
        DestinationRecord custom = destinations.create(adaStream, ada, "custom", true, "rtmp://c/app", Secret.of("c1"), "C",
                List.of("avc1", "hvc1"));
        DestinationRecord plain = destinations.create(adaStream, ada, "twitch", true, "rtmp://t/app", Secret.of("t1"), "T");
        assertEquals(List.of("avc1", "hvc1"), destinations.findById(custom.id()).orElseThrow().videoCodecs());
        assertEquals(List.of(), destinations.findById(plain.id()).orElseThrow().videoCodecs());

        DestinationChange onlyHevc = new DestinationChange(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(List.of("hvc1")));
        assertEquals(List.of("hvc1"), destinations.update(custom.id(), onlyHevc).videoCodecs());
        assertEquals(List.of("hvc1"), destinations.update(custom.id(), DestinationChange.none()).videoCodecs(),
                "an update that does not name them leaves them");
        DestinationChange lifted = new DestinationChange(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(List.of()));
        assertEquals(List.of(), destinations.update(custom.id(), lifted).videoCodecs());
        assertEquals(List.of(), destinations.listByStream(adaStream).get(0).videoCodecs());
    }
}
