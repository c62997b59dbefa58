package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.store.jdbi.StoreTest;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.StoreException;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.catalog.store.StreamSessionStore;

import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A session whose end cannot be written at first (the database failing at that moment): one log
 * line says so, and the end is written later rather than lost, its row left open until the next
 * start calls it interrupted. A real database (SQLite here, PostgreSQL in {@link SessionEndWriteOnPostgresTest}) under a store that fails the first
 * {@code finish} calls it is told to; the retries wait in virtual time.
 */
class SessionEndWriteTest extends StoreTest {
    private static final String HEX_KEY = "4f1c2b7a9e3d5c6b8a0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69";

    private final ManualScheduler clock = new ManualScheduler();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger catalogLog = (Logger) LoggerFactory.getLogger(DatabaseCatalog.class);
    private Database database;
    private FailingFinish store;
    private DatabaseCatalog catalog;
    private StreamRegistry registry;
    private StreamRecord stream;

    /** The database's own store, but {@code finish} fails while {@link #failures} is above zero. */
    private static final class FailingFinish implements StreamSessionStore {
        final StreamSessionStore real;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger finishCalls = new AtomicInteger();

        FailingFinish(StreamSessionStore real) {
            this.real = real;
        }

        @Override
        public long open(long streamId, Instant startedAt) {
            return real.open(streamId, startedAt);
        }

        @Override
        public long finish(long streamId, Long openId, SessionReport report, int keep) {
            finishCalls.incrementAndGet();
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new StoreException("could not record the end of a session of stream " + streamId,
                        new IllegalStateException("[SQLITE_BUSY] The database file is locked"));
            }
            return real.finish(streamId, openId, report, keep);
        }

        @Override
        public List<StreamSessionRecord> page(long streamId, Long beforeId, int limit) {
            return real.page(streamId, beforeId, limit);
        }

        @Override
        public Optional<StreamSessionRecord> find(long streamId, long sessionId) {
            return real.find(streamId, sessionId);
        }

        @Override
        public int closeOpen(Instant at) {
            return real.closeOpen(at);
        }

        @Override
        public int closeOpenExcept(Instant at, java.util.Set<Long> streamIds) {
            return real.closeOpenExcept(at, streamIds);
        }
    }

    @BeforeEach
    void open() {
        logged.start();
        catalogLog.addAppender(logged);
        database = store().open(SecretBox.fromHexKey(HEX_KEY), Clock.systemUTC());
        store = new FailingFinish(database.streamSessions());
        catalog = new DatabaseCatalog(database.streams(), database.destinations(), store,
                DatabaseCatalog.DEFAULT_SESSION_HISTORY, Clock.systemUTC(), (delay, task) -> clock.schedule(delay, task)::cancel);
        registry = new StreamRegistry(catalog, catalog, new NoDestinations(clock), StreamRegistry.Settings.defaults().withListener(catalog));
        long owner = database.users().register("ada@example.com", "hash").id();
        stream = new StreamService(database.streams(), database.audit(), registry).create(owner, "Main");
    }

    @AfterEach
    void close() {
        catalogLog.detachAppender(logged);
        catalog.close();
        database.close();
    }

    /** One show: it goes live (its row opens), and its encoder stops. */
    private void oneShow() throws Exception {
        var publication = registry.beginPublish(TestKeys.issued(stream.key().reveal()), ImmediateEventExecutor.INSTANCE);
        await().atMost(Duration.ofSeconds(5)).until(() -> !rows().isEmpty() && rows().get(0).isLive());
        publication.end();
    }

    private List<StreamSessionRecord> rows() {
        return database.streamSessions().page(stream.id(), null, 10);
    }

    private List<String> lines(String event) {
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("event=" + event))
                    .toList();
        }
    }

    /** Moves virtual time on once the writer has scheduled the retry (it runs on the writer thread). */
    private void retryAfter(Duration wait) {
        await().atMost(Duration.ofSeconds(5)).until(() -> clock.pending() > 0);
        assertEquals(wait, clock.nextDueIn());
        clock.advance(wait);
    }

    @Test
    void anEndTheDatabaseRefusedOnceIsWrittenByTheRetry() throws Exception {
        store.failures.set(1);
        oneShow();
        await().atMost(Duration.ofSeconds(5)).until(() -> lines("session_write_failed").size() == 1);
        String line = lines("session_write_failed").get(0);
        assertTrue(line.contains("stream=" + stream.id()) && line.contains("attempt=1") && line.contains("retry_in_s=1")
                && line.contains("could not record the end of a session"), line);
        assertFalse(line.contains("\n"), "one line");
        assertTrue(rows().get(0).isLive(), "not written yet");

        retryAfter(DatabaseCatalog.FIRST_RETRY);
        await().atMost(Duration.ofSeconds(5)).until(() -> !rows().get(0).isLive());
        StreamSessionRecord session = rows().get(0);
        assertEquals(1, rows().size(), "the open row completed, not a second one");
        assertEquals("stopped", session.endReason());
        await().atMost(Duration.ofSeconds(5)).until(() -> lines("session_write_recovered").size() == 1);
        assertEquals(1, lines("session_write_failed").size());
        assertEquals(0, clock.pending(), "nothing left to retry");
    }

    @Test
    void retriesWaitLongerEachTimeUpToAMinute() throws Exception {
        store.failures.set(8);
        oneShow();
        for (long seconds : new long[] {1, 2, 4, 8, 16, 32, 60, 60}) {
            retryAfter(Duration.ofSeconds(seconds));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !rows().get(0).isLive());
        assertEquals(9, store.finishCalls.get());
        assertEquals("stopped", rows().get(0).endReason());
    }

    @Test
    void anEndStillUnwrittenWhenTheServerStopsIsTriedOnceMoreThen() throws Exception {
        store.failures.set(1);
        oneShow();
        await().atMost(Duration.ofSeconds(5)).until(() -> clock.pending() > 0);
        catalog.close(); // before the retry is due: close makes the last attempt itself
        assertFalse(rows().get(0).isLive(), "written at the close");
        assertEquals("stopped", rows().get(0).endReason());
        clock.advance(DatabaseCatalog.LAST_RETRY);
        assertEquals(2, store.finishCalls.get(), "the cancelled retry does not run");
    }

    @Test
    void anEndTheDatabaseNeverTakesIsLoggedAsLostAtTheCloseAndLeftForTheRecovery() throws Exception {
        store.failures.set(Integer.MAX_VALUE);
        oneShow();
        await().atMost(Duration.ofSeconds(5)).until(() -> clock.pending() > 0);
        catalog.close();
        assertEquals(1, lines("session_write_abandoned").size(), String.join("\n", lines("session_write_abandoned")));
        assertTrue(lines("session_write_abandoned").get(0).contains("end_reason=stopped"));
        assertTrue(rows().get(0).isLive(), "still open: the next start closes it");
        assertEquals(1, database.streamSessions().closeOpen(Instant.now()), "as the next start's recovery does");
        assertEquals("interrupted", rows().get(0).endReason());
    }
}
