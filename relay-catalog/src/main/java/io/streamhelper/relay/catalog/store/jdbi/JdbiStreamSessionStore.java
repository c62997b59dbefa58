package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.catalog.store.StreamSessionStore;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;

final class JdbiStreamSessionStore implements StreamSessionStore {
    private static final String COLUMNS = """
            id, stream_id, started_at, ended_at, end_reason, bytes_in, video_frames, publisher_reconnects, destinations""";

    private final Jdbi jdbi;

    JdbiStreamSessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public long open(long streamId, Instant startedAt) {
        return Sql.guard("record the start of a session of stream " + streamId, () -> jdbi.inTransaction(handle -> {
            handle.createUpdate("UPDATE stream_sessions SET ended_at = :started, end_reason = :reason"
                            + " WHERE stream_id = :stream AND ended_at IS NULL")
                    .bind("stream", streamId)
                    .bind("started", startedAt.toEpochMilli())
                    .bind("reason", EndReason.INTERRUPTED.wireName())
                    .execute();
            return handle.createQuery("INSERT INTO stream_sessions (stream_id, started_at) VALUES (:stream, :started) RETURNING id")
                    .bind("stream", streamId)
                    .bind("started", startedAt.toEpochMilli())
                    .mapTo(Long.class)
                    .one();
        }));
    }

    @Override
    public long finish(long streamId, Long openId, SessionReport report, int keep) {
        return Sql.guard("record the end of a session of stream " + streamId, () -> jdbi.inTransaction(handle -> {
            long id = openId != null && complete(handle, openId, report) ? openId : insertEnded(handle, streamId, report);
            // The newest `keep` ended sessions stay; an open one (live now) is never pruned.
            handle.createUpdate("""
                            DELETE FROM stream_sessions
                            WHERE stream_id = :stream AND ended_at IS NOT NULL AND id NOT IN (
                                SELECT id FROM stream_sessions WHERE stream_id = :stream AND ended_at IS NOT NULL
                                ORDER BY id DESC LIMIT :keep)
                            """)
                    .bind("stream", streamId)
                    .bind("keep", keep)
                    .execute();
            return id;
        }));
    }

    private static boolean complete(Handle handle, long id, SessionReport report) {
        return bindEnd(handle.createUpdate("""
                        UPDATE stream_sessions SET ended_at = :ended, end_reason = :reason, bytes_in = :bytes,
                            video_frames = :frames, publisher_reconnects = :reconnects, destinations = :destinations
                        WHERE id = :id AND (ended_at IS NULL OR end_reason = :interrupted)
                        """), report)
                .bind("id", id)
                // A row closed as interrupted by a later open (its end was late: a retried write,
                // or the node that relayed it answering after another took the stream over) is
                // still this session's: completed, not duplicated by a second row.
                .bind("interrupted", EndReason.INTERRUPTED.wireName())
                .execute() == 1;
    }

    private static long insertEnded(Handle handle, long streamId, SessionReport report) {
        return bindEnd(handle.createQuery("""
                        INSERT INTO stream_sessions (stream_id, started_at, ended_at, end_reason, bytes_in, video_frames,
                            publisher_reconnects, destinations)
                        VALUES (:stream, :started, :ended, :reason, :bytes, :frames, :reconnects, :destinations)
                        RETURNING id
                        """), report)
                .bind("stream", streamId)
                .bind("started", report.startedAt().toEpochMilli())
                .mapTo(Long.class)
                .one();
    }

    /** What the end of a session writes, whether it completes the open row or inserts one: one list of columns. */
    private static <S extends SqlStatement<S>> S bindEnd(S statement, SessionReport report) {
        return statement
                .bind("ended", report.endedAt().toEpochMilli())
                .bind("reason", report.endReason().wireName())
                .bind("bytes", report.bytesIn())
                .bind("frames", report.videoFrames())
                .bind("reconnects", report.publisherReconnects())
                .bind("destinations", SessionJson.write(report.destinations()));
    }

    @Override
    public List<StreamSessionRecord> page(long streamId, Long beforeId, int limit) {
        return Sql.guard("list the sessions of stream " + streamId, () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM stream_sessions WHERE stream_id = :stream AND id < :before"
                        + " ORDER BY id DESC LIMIT :limit")
                .bind("stream", streamId)
                .bind("before", beforeId == null ? Long.MAX_VALUE : beforeId)
                .bind("limit", Math.max(0, limit))
                .map((rs, ctx) -> record(rs))
                .list()));
    }

    @Override
    public Optional<StreamSessionRecord> find(long streamId, long sessionId) {
        return Sql.guard("read session " + sessionId + " of stream " + streamId, () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM stream_sessions WHERE stream_id = :stream AND id = :id")
                .bind("stream", streamId)
                .bind("id", sessionId)
                .map((rs, ctx) -> record(rs))
                .findOne()));
    }

    @Override
    public int closeOpen(Instant at) {
        return Sql.guard("close the sessions left open", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE stream_sessions SET ended_at = :at, end_reason = :reason WHERE ended_at IS NULL")
                .bind("at", at.toEpochMilli())
                .bind("reason", EndReason.INTERRUPTED.wireName())
                .execute()));
    }

    @Override
    public int closeOpenExcept(Instant at, java.util.Set<Long> streamIds) {
        if (streamIds.isEmpty()) {
            return closeOpen(at);
        }
        return Sql.guard("close the sessions left open", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE stream_sessions SET ended_at = :at, end_reason = :reason"
                        + " WHERE ended_at IS NULL AND stream_id NOT IN (<ids>)")
                .bind("at", at.toEpochMilli())
                .bind("reason", EndReason.INTERRUPTED.wireName())
                .bindList("ids", List.copyOf(streamIds))
                .execute()));
    }

    private static StreamSessionRecord record(ResultSet rs) throws SQLException {
        long ended = rs.getLong("ended_at");
        Instant endedAt = rs.wasNull() ? null : Sql.instant(ended);
        return new StreamSessionRecord(rs.getLong("id"), rs.getLong("stream_id"), Sql.instant(rs.getLong("started_at")),
                endedAt, rs.getString("end_reason"), rs.getLong("bytes_in"), rs.getLong("video_frames"),
                rs.getLong("publisher_reconnects"), SessionJson.read(rs.getString("destinations")));
    }
}
