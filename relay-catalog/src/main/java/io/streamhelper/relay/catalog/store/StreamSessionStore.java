package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.session.SessionReport;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Stream session history: what happened during each broadcast of a stream, the last few per
 * stream. Not {@link SessionStore}, which holds login sessions.
 */
public interface StreamSessionStore {
    /** The stream went live: a row for its session, open until {@link #finish}. Returns its id. */
    /**
     * Opens the stream's session row. A session of this stream still open is closed first, as
     * {@code interrupted} at {@code startedAt}: a node that died while relaying it (another took
     * the stream over) or a crash left it, and a stream has one session on air at a time.
     */
    long open(long streamId, Instant startedAt);

    /**
     * The session ended: completes the open row {@code openId} (or, if none was written, a new
     * row), then deletes the stream's ended sessions beyond the newest {@code keep}. Returns its id.
     */
    long finish(long streamId, Long openId, SessionReport report, int keep);

    /** Up to {@code limit} of the stream's sessions, newest first, with ids below {@code beforeId} if given. */
    List<StreamSessionRecord> page(long streamId, Long beforeId, int limit);

    Optional<StreamSessionRecord> find(long streamId, long sessionId);

    /** After a crash: every session still open is closed at {@code at} as {@code interrupted}. Returns how many. */
    int closeOpen(Instant at);

    /**
     * As {@link #closeOpen(Instant)}, leaving alone the sessions of these streams: on one
     * PostgreSQL shared by several nodes, the streams another alive node relays now.
     */
    int closeOpenExcept(Instant at, java.util.Set<Long> streamIds);
}
