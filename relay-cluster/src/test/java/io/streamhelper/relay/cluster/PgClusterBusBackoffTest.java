package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.StallingTcpProxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bus's way back after its listening session was killed, in virtual time: the waits between
 * attempts are on a {@link ManualScheduler} the test moves, the connections are real (the
 * database refuses the next few attempts because the test says so, as a server restarting would).
 * Only the socket's poll is real time, and the test awaits what it leads to.
 */
class PgClusterBusBackoffTest {
    private final BusDatabase database = new BusDatabase();
    private final ManualScheduler clock = new ManualScheduler();
    /** Every wait the bus asked for, in order. */
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger refuseNext = new AtomicInteger();

    @AfterEach
    void close() throws Exception {
        database.close();
    }

    private PgClusterBus bus(Database node) {
        PgClusterBus.Waiter virtual = delay -> {
            CountDownLatch due = new CountDownLatch(1);
            clock.schedule(delay, due::countDown);
            waits.add(delay);
            due.await();
        };
        PgClusterBus.Connector refusing = () -> {
            attempts.incrementAndGet();
            if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLException("the database system is starting up");
            }
            return PgClusterBus.listenConnection(database.settings);
        };
        return database.closing(PgClusterBus.start(node::notifyChannel, refusing, virtual, clock::nanoTime));
    }

    /** Moves virtual time to the bus's next wait's end (once it is waiting) and lets it run. */
    private void advanceToNextAttempt(int waitsSoFar) {
        await().atMost(Duration.ofSeconds(5)).until(() -> waits.size() == waitsSoFar + 1 && clock.pending() == 1);
        Duration wait = waits.get(waitsSoFar);
        int before = attempts.get();
        clock.advance(wait.minusMillis(1));
        assertEquals(before, attempts.get(), "no attempt before the wait is over");
        clock.advance(Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() == before + 1);
    }

    @Test
    void itWaitsHalfASecondDoublingToFiveBetweenAttemptsAndStartsAgainAtHalfOnceListening() throws Exception {
        Heard heard = new Heard();
        Database node = database.node();
        PgClusterBus bus = bus(node);
        bus.listen(heard);
        assertEquals(1, attempts.get(), "the first LISTEN is made at start");

        refuseNext.set(5);
        database.terminate(bus.backendPid());
        for (int i = 0; i < 6; i++) {
            advanceToNextAttempt(i);
        }

        assertEquals(List.of(500L, 1_000L, 2_000L, 4_000L, 5_000L, 5_000L), waits.stream().map(Duration::toMillis).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.resyncs.get() == 1);
        assertEquals(1, bus.reconnects(), "one way back, after five refusals");
        assertTrue(bus.listening());
        bus.send(ClusterNotice.broadcast(ClusterNotice.Kind.STREAM_DELETED, 4, "a"));
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.notices.size() == 1);

        // Listening again reset the backoff: the next loss starts at half a second.
        database.terminate(bus.backendPid());
        advanceToNextAttempt(6);
        assertEquals(Duration.ofMillis(500), waits.get(6));
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.resyncs.get() == 2);
        assertEquals(2, bus.reconnects());
    }

    @Test
    void aListeningConnectionThatWentSilentIsFoundAfterTenSecondsWithoutANoticeAndReplaced() throws Exception {
        Heard heard = new Heard();
        try (StallingTcpProxy path = StallingTcpProxy.start(database.server.port())) {
            DatabaseSettings throughPath = DatabaseSettings.postgresql(
                    database.db.jdbcUrl().replace(":" + database.server.port() + "/", ":" + path.port() + "/"),
                    database.db.user(), database.db.password());
            AtomicInteger opened = new AtomicInteger();
            PgClusterBus.Waiter virtual = delay -> {
                CountDownLatch due = new CountDownLatch(1);
                clock.schedule(delay, due::countDown);
                waits.add(delay);
                due.await();
            };
            // The first session goes through the path that will go silent, later ones straight to the server.
            PgClusterBus bus = database.closing(PgClusterBus.start(database.node()::notifyChannel,
                    () -> PgClusterBus.listenConnection(opened.getAndIncrement() == 0 ? throughPath : database.settings),
                    virtual, clock::nanoTime));
            bus.listen(heard);

            path.stall();
            // No FIN, no reset: only the check after ten silent seconds (virtual) finds it.
            clock.advance(PgClusterBus.CHECK_AFTER_SILENCE);
            await().atMost(Duration.ofSeconds(10)).until(() -> waits.size() == 1 && clock.pending() == 1);
            assertEquals(Duration.ofMillis(500), waits.get(0));
            clock.advance(Duration.ofMillis(500));

            await().atMost(Duration.ofSeconds(5)).until(() -> heard.resyncs.get() == 1 && bus.listening());
            bus.send(ClusterNotice.broadcast(ClusterNotice.Kind.KEY_ROTATED, 8, "a"));
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.notices.size() == 1);
        }
    }

    @Test
    void closeEndsAWaitAtOnce() throws Exception {
        PgClusterBus bus = bus(database.node());
        refuseNext.set(100);
        database.terminate(bus.backendPid());
        advanceToNextAttempt(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> waits.size() == 2);

        long start = System.nanoTime();
        bus.close();

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1_000);
        assertTrue(!bus.running());
    }
}
