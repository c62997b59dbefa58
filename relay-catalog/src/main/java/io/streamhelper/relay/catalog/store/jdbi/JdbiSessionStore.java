package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.SessionStore;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

final class JdbiSessionStore implements SessionStore {
    private final Jdbi jdbi;

    JdbiSessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void create(byte[] tokenHash, long userId, Instant expiresAt) {
        Sql.guardRun("create a session for account " + userId, () -> jdbi.useHandle(handle -> handle
                .createUpdate("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (:hash, :user, :expires)")
                .bind("hash", tokenHash)
                .bind("user", userId)
                .bind("expires", expiresAt.toEpochMilli())
                .execute()));
    }

    @Override
    public Optional<Long> userIdFor(byte[] tokenHash, Instant now) {
        return Sql.guard("look up a session", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT user_id FROM sessions WHERE token_hash = :hash AND expires_at > :now")
                .bind("hash", tokenHash)
                .bind("now", now.toEpochMilli())
                .mapTo(Long.class)
                .findOne()));
    }

    @Override
    public boolean delete(byte[] tokenHash) {
        return Sql.guard("end a session", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM sessions WHERE token_hash = :hash")
                .bind("hash", tokenHash)
                .execute())) > 0;
    }

    @Override
    public int deleteForUser(long userId) {
        return Sql.guard("end the sessions of account " + userId, () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM sessions WHERE user_id = :user")
                .bind("user", userId)
                .execute()));
    }

    @Override
    public int deleteExpired(Instant now) {
        return Sql.guard("delete expired sessions", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM sessions WHERE expires_at <= :now")
                .bind("now", now.toEpochMilli())
                .execute()));
    }
}
