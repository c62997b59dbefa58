package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DuplicateEmailException;
import io.streamhelper.relay.catalog.store.Role;
import io.streamhelper.relay.catalog.store.UserRecord;
import io.streamhelper.relay.catalog.store.UserStore;
import io.streamhelper.relay.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class JdbiUserStoreTest extends StoreTest {
    private static final String HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-02T03:04:05Z"));
    private Database database;
    private UserStore users;

    @BeforeEach
    void open() {
        database = store().open(clock);
        users = database.users();
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void firstRegistrationIsAdminAndTheNextAreUsers() {
        UserRecord first = users.register("ada@example.com", HASH);
        UserRecord second = users.register("bob@example.com", HASH);

        assertEquals(Role.ADMIN, first.role());
        assertEquals(Role.USER, second.role());
        assertEquals(Role.USER, users.register("cy@example.com", HASH).role());
        assertEquals(List.of(first, second), users.list().subList(0, 2));
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), first.createdAt());
    }

    @RepeatedTest(3)
    void concurrentFirstRegistrationsMakeExactlyOneAdmin() throws Exception {
        int registrations = 8;
        ExecutorService pool = Executors.newFixedThreadPool(registrations);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<UserRecord>> results = new ArrayList<>();
            for (int i = 0; i < registrations; i++) {
                String email = "racer" + i + "@example.com";
                results.add(pool.submit(() -> {
                    start.await();
                    return users.register(email, HASH);
                }));
            }
            start.countDown();
            long admins = 0;
            for (Future<UserRecord> result : results) {
                admins += result.get(30, TimeUnit.SECONDS).role() == Role.ADMIN ? 1 : 0;
            }

            assertEquals(1, admins);
            assertEquals(registrations, users.list().size());
            assertEquals(1, users.list().stream().filter(u -> u.role() == Role.ADMIN).count());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void emailsAreUniqueIgnoringCase() {
        users.register("Ada@Example.com", HASH);

        assertThrows(DuplicateEmailException.class, () -> users.register("ada@example.COM", HASH));
        assertThrows(DuplicateEmailException.class, () -> users.create("ADA@EXAMPLE.COM", HASH, Role.USER));
        assertEquals(1, users.list().size());
    }

    @Test
    void duplicateOfTheFirstAccountDoesNotBecomeASecondAdmin() {
        users.register("ada@example.com", HASH);
        assertThrows(DuplicateEmailException.class, () -> users.register("ADA@example.com", HASH));

        assertEquals(Role.USER, users.register("bob@example.com", HASH).role());
    }

    @Test
    void findByEmailIgnoresCaseAndKeepsTheAddressAsTyped() {
        UserRecord created = users.register("Ada@Example.com", HASH);

        UserRecord found = users.findByEmail("ADA@example.COM").orElseThrow();
        assertEquals(created, found);
        assertEquals("Ada@Example.com", found.email());
        assertEquals(HASH, found.passwordHash());
        assertTrue(users.findByEmail("nobody@example.com").isEmpty());
    }

    @Test
    void createGivesTheRequestedRoleEvenToTheFirstAccount() {
        UserRecord user = users.create("first@example.com", HASH, Role.USER);
        UserRecord admin = users.create("second@example.com", HASH, Role.ADMIN);

        assertEquals(Role.USER, users.findById(user.id()).orElseThrow().role());
        assertEquals(Role.ADMIN, users.findById(admin.id()).orElseThrow().role());
        // The database is no longer empty, so registration no longer founds it.
        assertEquals(Role.USER, users.register("third@example.com", HASH).role());
        assertTrue(users.findById(999).isEmpty());
    }
}
