package io.streamhelper.relay.catalog.store.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.catalog.store.StreamSessionStore;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.testkit.ManualClock;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stream session history in a real SQLite file: written at start and end, paged, pruned, recovered after a crash. */
class JdbiStreamSessionStoreTest extends StoreTest {
    private static final Instant NOW = Instant.parse("2026-03-01T21:00:00Z");

    private Database database;
    private StreamSessionStore sessions;
    private long streamId;
    private long otherStreamId;

    @BeforeEach
    void open() {
        database = store().open(new ManualClock(NOW));
        sessions = database.streamSessions();
        long userId = database.users().register("ada@example.com", "hash").id();
        streamId = database.streams().create(userId, "Main show", Secret.of(TestKeys.ingest())).id();
        otherStreamId = database.streams().create(userId, "Other", Secret.of(TestKeys.ingest())).id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static SessionReport report(Instant started, EndReason reason) {
        SessionReport.Destination twitch = new SessionReport.Destination("7", "Twitch", "twitch", "live.twitch.tv", 840_000,
                123_456, 25_200, 3, 1, List.of(
                        new SessionReport.Transition(started, "connecting", null),
                        new SessionReport.Transition(started.plusSeconds(1), "live", null),
                        new SessionReport.Transition(started.plusSeconds(840), "retrying", "connection reset by the destination")),
                4);
        return new SessionReport("ignored", started, started.plusSeconds(900), reason, 9_999_999, 27_000, 2, List.of(twitch));
    }

    @Test
    void openingASessionClosesOneOfTheSameStreamLeftOpenAsInterrupted() {
        long orphan = sessions.open(streamId, NOW);
        long other = sessions.open(otherStreamId, NOW);
        long next = sessions.open(streamId, NOW.plusSeconds(20));

        StreamSessionRecord closed = sessions.find(streamId, orphan).orElseThrow();
        assertEquals(EndReason.INTERRUPTED.wireName(), closed.endReason(), "a node died with it on air, another took over");
        assertEquals(NOW.plusSeconds(20), closed.endedAt());
        assertTrue(sessions.find(streamId, next).orElseThrow().isLive());
        assertTrue(sessions.find(otherStreamId, other).orElseThrow().isLive(), "another stream's session is not touched");
    }

    @Test
    void aLateEndOfASessionClosedAsInterruptedCompletesItsOwnRowInsteadOfAddingOne() {
        long first = sessions.open(streamId, NOW);
        sessions.open(streamId, NOW.plusSeconds(20)); // the next one, elsewhere: the first is closed as interrupted
        assertEquals(first, sessions.finish(streamId, first, report(NOW, EndReason.MOVED), 50));

        assertEquals(EndReason.MOVED.wireName(), sessions.find(streamId, first).orElseThrow().endReason());
        assertEquals(2, sessions.page(streamId, null, 10).size(), "one row per session, no duplicate");
    }

    @Test
    void closeOpenExceptLeavesTheSessionsOfTheStreamsNamed() {
        long kept = sessions.open(streamId, NOW);
        long closed = sessions.open(otherStreamId, NOW);

        assertEquals(1, sessions.closeOpenExcept(NOW.plusSeconds(5), java.util.Set.of(streamId)));
        assertTrue(sessions.find(streamId, kept).orElseThrow().isLive(), "live on another node");
        assertEquals(EndReason.INTERRUPTED.wireName(), sessions.find(otherStreamId, closed).orElseThrow().endReason());
        assertEquals(1, sessions.closeOpenExcept(NOW.plusSeconds(6), java.util.Set.of()), "none named: every open one");
    }

    @Test
    void aSessionIsOpenWhileLiveAndReadsBackWholeOnceEnded() {
        long id = sessions.open(streamId, NOW);
        StreamSessionRecord live = sessions.find(streamId, id).orElseThrow();
        assertTrue(live.isLive());
        assertNull(live.endReason());
        assertEquals(List.of(), live.destinations());

        SessionReport report = report(NOW, EndReason.STOPPED);
        assertEquals(id, sessions.finish(streamId, id, report, 50), "the open row is completed, not a second one");
        StreamSessionRecord ended = sessions.find(streamId, id).orElseThrow();
        assertEquals(NOW, ended.startedAt());
        assertEquals(NOW.plusSeconds(900), ended.endedAt());
        assertEquals("stopped", ended.endReason());
        assertEquals(9_999_999, ended.bytesIn());
        assertEquals(27_000, ended.videoFrames());
        assertEquals(2, ended.publisherReconnects());
        assertEquals(report.destinations(), ended.destinations(), "every destination field and transition round-trips");
        assertTrue(sessions.find(otherStreamId, id).isEmpty(), "a session is found under its own stream only");
    }

    @Test
    void aSessionWhoseStartWasNotWrittenIsWrittenWholeAtTheEnd() {
        long id = sessions.finish(streamId, null, report(NOW, EndReason.LOST), 50);
        assertEquals("lost", sessions.find(streamId, id).orElseThrow().endReason());
    }

    @Test
    void pagesGoNewestFirstAndOnlyTheLastNArekept() {
        for (int i = 0; i < 7; i++) {
            Instant started = NOW.plusSeconds(1000L * i);
            sessions.finish(streamId, sessions.open(streamId, started), report(started, EndReason.STOPPED), 5);
        }
        sessions.finish(otherStreamId, null, report(NOW, EndReason.STOPPED), 5);
        long open = sessions.open(streamId, NOW.plusSeconds(9000));

        List<StreamSessionRecord> first = sessions.page(streamId, null, 4);
        assertEquals(List.of(open), first.stream().limit(1).map(StreamSessionRecord::id).toList(), "the live one first");
        assertEquals(NOW.plusSeconds(6000), first.get(1).startedAt());
        List<StreamSessionRecord> rest = sessions.page(streamId, first.get(3).id(), 4);
        assertEquals(2, rest.size(), "5 ended ones kept, the 2 oldest pruned, plus the live one");
        assertEquals(NOW.plusSeconds(2000), rest.get(1).startedAt());
        assertEquals(1, sessions.page(otherStreamId, null, 10).size(), "another stream's history is its own");
    }

    @Test
    void sessionsLeftOpenByACrashAreClosedAsInterrupted() {
        long open = sessions.open(streamId, NOW);
        // Another stream's: a stream has one session open at a time (opening one closes the last).
        long ended = sessions.finish(otherStreamId, sessions.open(otherStreamId, NOW), report(NOW, EndReason.STOPPED), 50);
        assertEquals(1, sessions.closeOpen(NOW.plusSeconds(3600)));
        StreamSessionRecord interrupted = sessions.find(streamId, open).orElseThrow();
        assertEquals("interrupted", interrupted.endReason());
        assertEquals(NOW.plusSeconds(3600), interrupted.endedAt());
        assertEquals("stopped", sessions.find(otherStreamId, ended).orElseThrow().endReason());
    }
}
