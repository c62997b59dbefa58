package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.ClusterStore;
import io.streamhelper.relay.catalog.store.ClusterStore.Lease;
import io.streamhelper.relay.catalog.store.ClusterStore.NodeRow;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.TestKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease and heartbeat statements on a real PostgreSQL server (only PostgreSQL has a cluster).
 * A node that stopped heartbeating is made by moving its row's heartbeat back in time with a raw
 * UPDATE, as 20 s of silence would leave it: the expiry is the real 10 s, compared by the database.
 */
class JdbiClusterStoreOnPostgresTest extends StoreTest {
    private static final Duration EXPIRY = Duration.ofSeconds(10);

    private Database database;
    private ClusterStore cluster;
    private long ada;

    @Override
    protected StoreBackend backend() {
        return StoreBackend.POSTGRESQL;
    }

    @BeforeEach
    void open() {
        database = store().open(Clock.systemUTC());
        cluster = database.cluster();
        ada = database.users().register("ada@example.com", "hash").id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    private long stream() {
        return database.streams().create(ada, "s", Secret.of(TestKeys.ingest())).id();
    }

    /** The node's last heartbeat as if it had been written {@code ago} earlier (it went silent). */
    private void silentFor(String node, Duration ago) throws Exception {
        try (Connection raw = store().raw();
             PreparedStatement update = raw.prepareStatement(
                     "UPDATE relay_nodes SET heartbeat_at = heartbeat_at - ? WHERE node_id = ?")) {
            update.setLong(1, ago.toMillis());
            update.setString(2, node);
            assertEquals(1, update.executeUpdate());
        }
    }

    @Test
    void aFreeStreamIsClaimedAndItsHolderClaimsItAgain() {
        cluster.heartbeat("a", "{}");
        long id = stream();

        assertEquals(Optional.empty(), cluster.lease(id, EXPIRY));
        assertEquals(new Lease(id, "a", Lease.LIVE, true), cluster.claim(id, "a", EXPIRY));
        cluster.setState(id, "a", Lease.RECONNECTING);
        assertEquals(new Lease(id, "a", Lease.RECONNECTING, true), cluster.lease(id, EXPIRY).orElseThrow());
        assertEquals(new Lease(id, "a", Lease.LIVE, true), cluster.claim(id, "a", EXPIRY), "its own: taken again, live");
    }

    @Test
    void aLeaseOfAnAliveNodeIsNotTakenAndStaysAsItWas() {
        cluster.heartbeat("a", "{}");
        cluster.heartbeat("b", "{}");
        long id = stream();
        cluster.claim(id, "a", EXPIRY);
        cluster.setState(id, "a", Lease.RECONNECTING);

        assertEquals(new Lease(id, "a", Lease.RECONNECTING, true), cluster.claim(id, "b", EXPIRY));
        cluster.setState(id, "b", Lease.LIVE);
        cluster.release(id, "b");
        assertEquals(new Lease(id, "a", Lease.RECONNECTING, true), cluster.lease(id, EXPIRY).orElseThrow(),
                "neither a state change nor a release by a node that does not hold it changes it");
    }

    @Test
    void theLeaseOfANodeWhoseHeartbeatExpiredIsTaken() throws Exception {
        cluster.heartbeat("a", "{}");
        cluster.heartbeat("b", "{}");
        long id = stream();
        cluster.claim(id, "a", EXPIRY);
        silentFor("a", Duration.ofSeconds(9));
        assertEquals("a", cluster.claim(id, "b", EXPIRY).nodeId(), "9 s old: still alive");

        silentFor("a", Duration.ofSeconds(2));
        assertEquals(new Lease(id, "a", Lease.LIVE, false), cluster.lease(id, EXPIRY).orElseThrow(), "11 s old: dead");
        assertEquals(new Lease(id, "b", Lease.LIVE, true), cluster.claim(id, "b", EXPIRY));
        assertEquals(new Lease(id, "b", Lease.LIVE, true), cluster.claim(id, "a", EXPIRY),
                "a, back, finds b holding it");
    }

    @Test
    void heldByOthersNamesTheStreamsOfOtherAliveNodesOnly() throws Exception {
        cluster.heartbeat("a", "{}");
        cluster.heartbeat("b", "{}");
        cluster.heartbeat("c", "{}");
        long mine = stream();
        long onB = stream();
        long onDeadC = stream();
        cluster.claim(mine, "a", EXPIRY);
        cluster.claim(onB, "b", EXPIRY);
        cluster.claim(onDeadC, "c", EXPIRY);
        silentFor("c", Duration.ofSeconds(11));

        assertEquals(java.util.Set.of(onB), cluster.heldByOthers("a", EXPIRY),
                "not its own (a restart of a), not a dead node's: only what b relays now");
    }

    @Test
    void ofTwoNodesClaimingAtOnceExactlyOneGetsEachStream() throws Exception {
        cluster.heartbeat("a", "{}");
        cluster.heartbeat("b", "{}");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 20; i++) {
                long id = stream();
                CountDownLatch go = new CountDownLatch(1);
                Future<Lease> a = threads.submit(() -> {
                    go.await();
                    return cluster.claim(id, "a", EXPIRY);
                });
                Future<Lease> b = threads.submit(() -> {
                    go.await();
                    return cluster.claim(id, "b", EXPIRY);
                });
                go.countDown();
                Lease byA = a.get(10, TimeUnit.SECONDS);
                Lease byB = b.get(10, TimeUnit.SECONDS);
                assertEquals(byA.nodeId(), byB.nodeId(), "both see the one winner");
                assertEquals(byA.nodeId(), cluster.lease(id, EXPIRY).orElseThrow().nodeId());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void releaseGivesOneUpAndReleaseAllEveryOneOfTheNode() {
        cluster.heartbeat("a", "{}");
        cluster.heartbeat("b", "{}");
        long one = stream();
        long two = stream();
        long three = stream();
        long others = stream();
        cluster.claim(one, "a", EXPIRY);
        cluster.claim(two, "a", EXPIRY);
        cluster.claim(three, "a", EXPIRY);
        cluster.claim(others, "b", EXPIRY);

        cluster.release(one, "a");
        assertEquals(Optional.empty(), cluster.lease(one, EXPIRY));
        assertEquals("b", cluster.claim(one, "b", EXPIRY).nodeId());

        cluster.releaseAll("a");
        assertEquals(Optional.empty(), cluster.lease(two, EXPIRY));
        assertEquals(Optional.empty(), cluster.lease(three, EXPIRY));
        assertEquals("b", cluster.lease(others, EXPIRY).orElseThrow().nodeId(), "b's are b's");
        assertEquals("b", cluster.lease(one, EXPIRY).orElseThrow().nodeId());
    }

    @Test
    void aliveNodesListsTheFreshOnesWithTheirStatusAndLeaveRemovesOne() throws Exception {
        long first = cluster.heartbeat("a", "{\"streams\":[]}");
        cluster.heartbeat("b", "{\"streams\":[{\"id\":\"7\"}]}");
        cluster.heartbeat("c", "{}");
        silentFor("c", Duration.ofSeconds(11));
        long second = cluster.heartbeat("a", "{\"streams\":[{\"id\":\"1\"}]}");
        assertTrue(second >= first, "the database's clock");

        List<NodeRow> alive = cluster.aliveNodes(EXPIRY);
        assertEquals(List.of("a", "b"), alive.stream().map(NodeRow::nodeId).toList());
        assertEquals("{\"streams\":[{\"id\":\"1\"}]}", alive.get(0).status(), "the latest heartbeat's status");
        assertEquals("{\"streams\":[{\"id\":\"7\"}]}", alive.get(1).status());
        assertTrue(alive.get(0).heartbeatAgeMillis() < 5_000, alive.toString());
        assertTrue(alive.get(0).startedAtMillis() <= first, "started at the first heartbeat, not renewed");

        long id = stream();
        cluster.claim(id, "b", EXPIRY);
        cluster.leave("b");
        List<String> after = new ArrayList<>(cluster.aliveNodes(EXPIRY).stream().map(NodeRow::nodeId).toList());
        assertEquals(List.of("a"), after);
        assertFalse(cluster.lease(id, EXPIRY).orElseThrow().holderAlive(), "a node that left holds nothing alive");
        assertEquals("a", cluster.claim(id, "a", EXPIRY).nodeId());
    }
}
