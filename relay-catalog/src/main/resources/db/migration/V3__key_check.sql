-- Portable between SQLite and PostgreSQL (placeholders: see V1).
--
-- One row sealed with the encryption key's primary, checked at start-up: a server started with
-- the wrong or an old key (after a rotation) refuses to start with a clear message, instead of
-- failing at the first publish. The plaintext is a fixed text, not a secret; the row is written
-- by the server at its first start on this schema (a migration cannot encrypt).
CREATE TABLE key_check (
    id         INTEGER  PRIMARY KEY CHECK (id = 1),
    ciphertext ${bytes} NOT NULL
);
