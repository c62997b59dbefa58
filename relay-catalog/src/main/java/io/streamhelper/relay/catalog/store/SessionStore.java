package io.streamhelper.relay.catalog.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Bearer tokens. Only a SHA-256 hash of each token is stored, so a copy of the database does not
 * hand out sessions.
 */
public interface SessionStore {
    void create(byte[] tokenHash, long userId, Instant expiresAt);

    /** The user a token belongs to, if it exists and has not expired at {@code now}. */
    Optional<Long> userIdFor(byte[] tokenHash, Instant now);

    /** Ends one session (logout); returns whether it existed. */
    boolean delete(byte[] tokenHash);

    /** Ends every session of an account (its password changed); returns how many. */
    int deleteForUser(long userId);

    /** Removes expired tokens; returns how many. */
    int deleteExpired(Instant now);
}
