-- Portable between SQLite and PostgreSQL. Two Flyway placeholders cover what the two spell
-- differently (see Dialect.java):
--   ${id_column}  a 64-bit primary key the database assigns
--   ${bytes}      a byte string (BLOB / BYTEA)
-- Times are epoch milliseconds in BIGINT; booleans are INTEGER 0/1.

CREATE TABLE users (
    id               ${id_column},
    email            TEXT    NOT NULL,
    email_normalized TEXT    NOT NULL UNIQUE,
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('admin', 'user')),
    -- 1 on the account that registered first, NULL on all others. Its uniqueness keeps "the
    -- first account becomes admin" true even where two concurrent INSERT ... SELECTs both see
    -- an empty table (PostgreSQL under READ COMMITTED).
    first_account    INTEGER UNIQUE CHECK (first_account = 1),
    created_at       BIGINT  NOT NULL
);

CREATE TABLE sessions (
    token_hash ${bytes} PRIMARY KEY,
    user_id    BIGINT   NOT NULL REFERENCES users (id),
    expires_at BIGINT   NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE streams (
    id             ${id_column},
    owner_id       BIGINT  NOT NULL REFERENCES users (id),
    name           TEXT    NOT NULL,
    -- SHA-256 hex of the ingest key. Cleared (with the ciphertext) on delete, so a deleted
    -- stream neither answers to its key nor blocks that key for a new stream.
    key_hash       TEXT    UNIQUE,
    key_ciphertext ${bytes},
    is_live        INTEGER NOT NULL DEFAULT 0 CHECK (is_live IN (0, 1)),
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    deleted_at     BIGINT
);
CREATE INDEX streams_owner_id ON streams (owner_id);

CREATE TABLE stream_destinations (
    id                    ${id_column},
    stream_id             BIGINT  NOT NULL REFERENCES streams (id),
    owner_id              BIGINT  NOT NULL REFERENCES users (id),
    platform              TEXT    NOT NULL,
    enabled               INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    rtmp_url              TEXT    NOT NULL,
    -- NULL only for deleted rows: a deleted destination keeps no key.
    stream_key_ciphertext ${bytes},
    display_name          TEXT,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    deleted_at            BIGINT
);
CREATE INDEX stream_destinations_stream_id ON stream_destinations (stream_id);
CREATE INDEX stream_destinations_owner_id ON stream_destinations (owner_id);

-- No foreign key on user_id: the record of who did what must outlive whatever it names.
CREATE TABLE audit_log (
    id        ${id_column},
    user_id   BIGINT NOT NULL,
    action    TEXT   NOT NULL,
    entity    TEXT   NOT NULL,
    entity_id BIGINT NOT NULL,
    detail    TEXT,
    at        BIGINT NOT NULL
);
