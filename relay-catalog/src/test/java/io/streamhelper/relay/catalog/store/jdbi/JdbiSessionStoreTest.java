package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.SessionStore;
import io.streamhelper.relay.catalog.store.StoreException;
import io.streamhelper.relay.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiSessionStoreTest extends StoreTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private Database database;
    private SessionStore sessions;
    private long userId;

    @BeforeEach
    void open() {
        database = store().open(new ManualClock(NOW));
        sessions = database.sessions();
        userId = database.users().register("ada@example.com", "hash").id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aTokenNamesItsUserUntilItExpires() {
        byte[] token = {1, 2, 3, 4};
        sessions.create(token, userId, NOW.plusSeconds(60));

        assertEquals(Optional.of(userId), sessions.userIdFor(token.clone(), NOW));
        assertEquals(Optional.of(userId), sessions.userIdFor(token, NOW.plusSeconds(59)));
        assertTrue(sessions.userIdFor(token, NOW.plusSeconds(60)).isEmpty());
        assertTrue(sessions.userIdFor(new byte[] {1, 2, 3}, NOW).isEmpty());
    }

    @Test
    void deleteExpiredRemovesOnlyExpiredTokens() {
        sessions.create(new byte[] {1}, userId, NOW.minusSeconds(1));
        sessions.create(new byte[] {2}, userId, NOW);
        sessions.create(new byte[] {3}, userId, NOW.plusSeconds(1));

        assertEquals(2, sessions.deleteExpired(NOW));
        assertEquals(Optional.of(userId), sessions.userIdFor(new byte[] {3}, NOW));
    }

    @Test
    void aSessionNeedsAnExistingUser() {
        assertThrows(StoreException.class, () -> sessions.create(new byte[] {9}, 4242, NOW.plusSeconds(60)));
    }
}
