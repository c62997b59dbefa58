package io.streamhelper.relay.catalog.store;

import java.time.Instant;

/** A stored account. The password hash is an encoded Argon2id string, never a password. */
public record UserRecord(long id, String email, String passwordHash, Role role, Instant createdAt) {
    @Override
    public String toString() {
        return "UserRecord[id=" + id + ", role=" + role + "]";
    }
}
