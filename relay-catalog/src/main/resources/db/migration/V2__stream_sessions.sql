-- Stream session history (issue 21): one row per broadcast of a stream, from its first publish
-- until it ended, so a streamer can find out after the show why a destination failed.
-- Portable between SQLite and PostgreSQL with the placeholders of V1 (see its header and
-- Dialect.java); times are epoch milliseconds in BIGINT.
--
-- Not "sessions": that table holds login tokens.
--
-- A row is written when the stream goes live (ended_at and end_reason NULL: the API shows it as
-- live) and completed when it ends; one still open at start-up was cut short by a crash and is
-- closed as 'interrupted'. end_reason has no CHECK: the engine owns the list (EndReason), and a
-- new reason should not need a migration of old rows.
--
-- The destinations are one JSON column rather than a table of their own: they are always
-- written and read whole with their session and never queried by field, and their states come
-- as a bounded list anyway, so one row per session keeps writing, paging and pruning to one
-- statement each. The JSON names no key and no URL path (only the host), and its errors are
-- the redacted text the API's lastError shows.
CREATE TABLE stream_sessions (
    id                   ${id_column},
    stream_id            BIGINT NOT NULL REFERENCES streams (id),
    started_at           BIGINT NOT NULL,
    ended_at             BIGINT,
    end_reason           TEXT,
    bytes_in             BIGINT NOT NULL DEFAULT 0,
    video_frames         BIGINT NOT NULL DEFAULT 0,
    publisher_reconnects BIGINT NOT NULL DEFAULT 0,
    destinations         TEXT   NOT NULL DEFAULT '[]'
);
-- Paging newest first within a stream, and pruning a stream down to its last N.
CREATE INDEX stream_sessions_stream_id ON stream_sessions (stream_id, id);
-- Start-up recovery looks for the open ones.
CREATE INDEX stream_sessions_open ON stream_sessions (ended_at);
