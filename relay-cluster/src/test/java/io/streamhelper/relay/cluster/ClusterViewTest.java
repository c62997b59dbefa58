package io.streamhelper.relay.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * ClusterView over the real relay_nodes table (V6 on a real PostgreSQL, hA's JdbiClusterStore), its one-second cache in
 * virtual time: the database's clock decides who is alive, the view's injected clock when it reads
 * again.
 */
class ClusterViewTest {
    private ClusterDatabase db;
    private CountedReads table;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger viewLog = (Logger) LoggerFactory.getLogger(ClusterView.class);

    @BeforeEach
    void start() {
        db = new ClusterDatabase();
        table = new CountedReads(db.database.cluster());
        logged.start();
        viewLog.addAppender(logged);
    }

    @AfterEach
    void stop() throws Exception {
        viewLog.detachAppender(logged);
        db.restore();
        db.close();
    }

    /** Makes a node's last heartbeat older by {@code by} on the database's clock, as if it had stopped beating. */
    private void age(String nodeId, Duration by) throws Exception {
        try (var c = db.server.superuserConnection(db.db.name());
                var s = c.prepareStatement("UPDATE relay_nodes SET heartbeat_at = heartbeat_at - ? WHERE node_id = ?")) {
            s.setLong(1, by.toMillis());
            s.setString(2, nodeId);
            assertEquals(1, s.executeUpdate());
        }
    }

    /** The view as node-a's, reading on the calling thread: in the test's virtual time. */
    private ClusterView view() {
        return new ClusterView(table, "node-a", clock, Runnable::run);
    }

    @Test
    void noCallerWaitsForTheDatabase() {
        table.heartbeat("node-b", status("node-b", "7", 3, "live"));
        List<Runnable> pending = new java.util.ArrayList<>();
        ClusterView view = new ClusterView(table, "node-a", clock, pending::add);
        assertEquals(List.of(), view.nodes(), "nothing read yet: the caller is answered at once, from the copy there is");
        assertEquals(1, pending.size());
        clock.advance(Duration.ofSeconds(2));
        assertTrue(view.stream("7").isEmpty());
        assertEquals(1, pending.size(), "one read at a time, however old the copy");

        pending.remove(0).run();
        assertEquals(List.of("node-b"), view.nodes().stream().map(OtherNodes.Node::nodeId).toList());
        assertEquals(1, table.reads.get());
    }

    /** A status as relay-api's LocalStatus writes it: one stream with one destination. */
    private static String status(String node, String streamId, long owner, String destinationState) {
        return "{\"node\":\"" + node + "\",\"generatedAt\":\"2026-12-03T12:00:00Z\",\"streams\":[{\"id\":\"" + streamId
                + "\",\"ownerId\":" + owner + ",\"state\":\"live\",\"destinations\":{\"12\":{\"status\":\"" + destinationState
                + "\",\"lastError\":null,\"since\":\"2026-12-03T11:59:00Z\",\"bytesSent\":1000,\"bitrateKbps\":2500.5,"
                + "\"reconnects\":1}},\"report\":{\"id\":\"" + streamId + "\",\"name\":\"Show\",\"state\":\"live\",\"destinations\":[]}}],"
                + "\"omittedStreams\":0,\"aFieldOfANewerVersion\":true}";
    }

    @Test
    void listsTheOtherAliveNodesAndTheirStreamsNotThisOne() {
        table.heartbeat("node-a", status("node-a", "1", 5, "live"));
        table.heartbeat("node-b", status("node-b", "7", 3, "retrying"));
        table.heartbeat("node-c", "{}"); // alive, nothing published yet
        ClusterView view = view();

        List<OtherNodes.Node> nodes = view.nodes();
        assertEquals(List.of("node-b", "node-c"), nodes.stream().map(OtherNodes.Node::nodeId).toList());
        assertTrue(nodes.get(0).heartbeatAgeMillis() >= 0 && nodes.get(0).heartbeatAgeMillis() < 10_000, nodes.toString());
        assertTrue(view.stream("1").isEmpty(), "this node's own streams are its registry's to show");
        OtherNodes.RemoteStream seven = view.stream("7").orElseThrow();
        assertEquals("node-b", seven.nodeId());
        assertEquals(3, seven.ownerId());
        assertEquals("live", seven.state());
        OtherNodes.RemoteDestination d = seven.destinations().get("12");
        assertEquals("retrying", d.status());
        assertEquals(Optional.empty(), d.lastError());
        assertEquals(Optional.of("2026-12-03T11:59:00Z"), d.since());
        assertEquals(1000, d.bytesSent());
        assertEquals(2500.5, d.bitrateKbps());
        assertEquals(1, d.reconnects());
        assertTrue(seven.report().contains("\"name\":\"Show\""), seven.report());
    }

    @Test
    void aNodeWhoseHeartbeatIsTenSecondsOldIsGone() throws Exception {
        table.heartbeat("node-b", status("node-b", "7", 3, "live"));
        ClusterView view = view();
        assertEquals(1, view.nodes().size());

        age("node-b", Duration.ofMillis(10_500)); // the database's clock says it stopped
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), view.nodes());
        assertTrue(view.stream("7").isEmpty());
    }

    @Test
    void readsTheDatabaseAtMostOnceASecond() {
        table.heartbeat("node-b", status("node-b", "7", 3, "live"));
        ClusterView view = view();
        for (int i = 0; i < 100; i++) {
            view.nodes();
            view.stream("7");
        }
        assertEquals(1, table.reads.get());

        table.heartbeat("node-b", status("node-b", "8", 3, "live")); // stream 7 ended there, 8 began
        clock.advance(Duration.ofMillis(999));
        assertTrue(view.stream("7").isPresent(), "the copy is under a second old: not read again");
        assertEquals(1, table.reads.get());

        clock.advance(Duration.ofMillis(1));
        assertTrue(view.stream("7").isEmpty());
        assertTrue(view.stream("8").isPresent());
        assertEquals(2, table.reads.get());
    }

    @Test
    void aMalformedStatusLeavesThatNodesStreamsOutAndIsLoggedOnce() {
        table.heartbeat("node-b", status("node-b", "7", 3, "live"));
        table.heartbeat("node-x", "{\"streams\":[{\"id\":\"9\",\"destinations\":[1,2]}");
        table.heartbeat("node-y", "{\"streams\":{\"id\":\"10\"}}");
        table.heartbeat("node-z", "[1,2,3]");
        ClusterView view = view();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("node-b", "node-x", "node-y", "node-z"), view.nodes().stream().map(OtherNodes.Node::nodeId).toList(),
                    "still alive: counted");
            assertTrue(view.stream("7").isPresent(), "a well-formed node's streams are still shown");
            assertTrue(view.nodes().stream().filter(n -> !n.nodeId().equals("node-b")).allMatch(n -> n.streams().isEmpty()));
            clock.advance(Duration.ofSeconds(1)); // read again: the same bad status
        }
        List<String> warnings = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("event=cluster_status_unreadable")).toList();
        assertEquals(3, warnings.size(), "once per node, not once per read: " + warnings);
        assertTrue(warnings.stream().noneMatch(w -> w.contains("\"id\"")), "its text is not repeated: " + warnings);

        table.heartbeat("node-x", status("node-x", "9", 3, "live")); // fixed
        assertTrue(view.stream("9").isPresent());
        table.heartbeat("node-x", "garbage"); // broken again: said again
        clock.advance(Duration.ofSeconds(1));
        assertTrue(view.stream("9").isEmpty());
        assertEquals(4, logged.list.stream().filter(e -> e.getFormattedMessage().contains("event=cluster_status_unreadable")).count());
    }

    @Test
    void aDatabaseThatDoesNotAnswerLeavesTheViewEmptyNotFailing() throws Exception {
        table.heartbeat("node-b", status("node-b", "7", 3, "live"));
        ClusterView view = view();
        assertTrue(view.stream("7").isPresent());

        db.cut();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertEquals(List.of(), view.nodes(), "who is alive is not known: this node answers for itself");
            assertTrue(view.stream("7").isEmpty());
        }
        assertEquals(4, table.reads.get(), "tried again each second, not at every call");
        assertEquals(1, logged.list.stream().filter(e -> e.getFormattedMessage().contains("event=cluster_view_unavailable")).count());

        db.restore();
        // As node-b's heartbeat thread does: the pool's first connections may still be the cut ones.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> table.heartbeat("node-b", status("node-b", "7", 3, "live")) > 0);
        clock.advance(Duration.ofSeconds(1));
        assertTrue(view.stream("7").isPresent(), "back with the database");
        assertEquals(1, logged.list.stream().filter(e -> e.getFormattedMessage().contains("event=cluster_view_restored")).count());
    }
}
