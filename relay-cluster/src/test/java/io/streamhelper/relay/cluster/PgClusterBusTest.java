package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.Database;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bus on a real PostgreSQL server: nodes are buses on databases of their own on one shared
 * test database. A killed listening backend (pg_terminate_backend, as an operator or a failover
 * would) is reconnected in real time here; the backoff itself is tested in virtual time by
 * {@link PgClusterBusBackoffTest}.
 */
class PgClusterBusTest {
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private final BusDatabase database = new BusDatabase();

    @AfterEach
    void close() throws Exception {
        database.close();
    }

    private PgClusterBus bus(Heard heard) {
        Database node = database.node();
        PgClusterBus bus = database.closing(PgClusterBus.start(node, database.settings));
        bus.listen(heard);
        return bus;
    }

    private static ClusterNotice changed(long stream, String from) {
        return ClusterNotice.broadcast(ClusterNotice.Kind.DESTINATIONS_CHANGED, stream, from);
    }

    @Test
    void twoNodesHearEachOthersNoticesInTheOrderTheyWereSent() {
        Heard heardA = new Heard();
        Heard heardB = new Heard();
        PgClusterBus a = bus(heardA);
        PgClusterBus b = bus(heardB);
        List<Long> sequence = LongStream.rangeClosed(1, 50).boxed().toList();

        sequence.forEach(id -> a.send(changed(id, "a")));
        b.send(ClusterNotice.to("a", ClusterNotice.Kind.RELEASE, 77, "b"));

        await().atMost(WITHIN).until(() -> heardB.notices.size() == 51 && heardA.notices.size() == 51);
        assertEquals(sequence, heardB.streams().subList(0, 50), "in the order sent");
        assertEquals(ClusterNotice.to("a", ClusterNotice.Kind.RELEASE, 77, "b"), heardB.notices.get(50),
                "the sender hears its own notice too: listeners skip theirs");
        assertEquals(heardB.notices, heardA.notices, "every node hears the same sequence");
        assertEquals(Set.of("cluster-bus"), Set.copyOf(heardB.threads), "delivered on the bus's own thread");
        assertEquals(50, a.sent());
        assertEquals(51, b.received());
        assertEquals(0, a.reconnects() + b.reconnects() + a.malformed() + b.malformed() + a.sendFailures());
    }

    @Test
    void aKilledListeningBackendIsReplacedAndListenersResyncBeforeHearingLaterNotices() throws Exception {
        Heard heardA = new Heard();
        Heard heardB = new Heard();
        PgClusterBus a = bus(heardA);
        PgClusterBus b = bus(heardB);
        a.send(changed(1, "a"));
        await().atMost(WITHIN).until(() -> heardB.notices.size() == 1);
        int killed = b.backendPid();

        database.terminate(killed);

        await().atMost(WITHIN).until(() -> b.reconnects() == 1 && b.listening());
        assertNotEquals(killed, b.backendPid(), "a new session");
        assertEquals(1, heardB.resyncs.get());
        assertEquals(0, heardA.resyncs.get(), "the other node lost nothing");
        a.send(changed(2, "a"));
        a.send(changed(3, "a"));
        await().atMost(WITHIN).until(() -> heardB.notices.size() == 3);
        assertEquals(List.of(1L, 2L, 3L), heardB.streams());
        assertEquals(Set.of("cluster-bus"), Set.copyOf(heardB.threads));
    }

    @Test
    void aPayloadThatIsNotANoticeIsSkippedAndTheNextOneArrives() throws Exception {
        Heard heard = new Heard();
        PgClusterBus bus = bus(heard);

        database.rawNotify("{\"kind\":\"STREAM_DELETED\"");
        database.rawNotify("{\"kind\":\"FORMAT_DISK\",\"stream\":1,\"from\":\"x\"}");
        database.rawNotify("");
        bus.send(changed(5, "a"));

        await().atMost(WITHIN).until(() -> heard.notices.size() == 1);
        assertEquals(List.of(5L), heard.streams());
        assertEquals(3, bus.malformed());
        assertEquals(4, bus.received());
        assertTrue(bus.running(), "the thread lives on");
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthersOrTheThread() {
        Heard heard = new Heard();
        PgClusterBus bus = database.closing(PgClusterBus.start(database.node(), database.settings));
        bus.listen(ClusterBus.listener(notice -> {
            throw new IllegalStateException("a bug in one listener");
        }));
        bus.listen(heard);

        bus.send(changed(1, "a"));
        bus.send(changed(2, "a"));

        await().atMost(WITHIN).until(() -> heard.notices.size() == 2);
        assertTrue(bus.running());
    }

    @Test
    void closeStopsTheThreadAndTheListeningSessionWithinASecond() throws Exception {
        PgClusterBus bus = bus(new Heard());
        int pid = bus.backendPid();
        assertTrue(database.backendAlive(pid));

        long start = System.nanoTime();
        bus.close();
        long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();

        assertTrue(tookMs < 1_000, "close took " + tookMs + " ms");
        assertFalse(bus.running());
        assertFalse(bus.listening());
        // The server notices the session's end asynchronously, after the socket closed.
        await().atMost(Duration.ofSeconds(5)).until(() -> !database.backendAlive(pid));
    }
}
