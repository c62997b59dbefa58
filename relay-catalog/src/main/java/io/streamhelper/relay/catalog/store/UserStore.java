package io.streamhelper.relay.catalog.store;

import java.util.List;
import java.util.Optional;

/** Accounts. E-mail addresses are unique, compared case-insensitively. */
public interface UserStore {
    /**
     * Creates an account; the very first account of the database becomes {@link Role#ADMIN}
     * (decided atomically with the insert), every later one {@link Role#USER}.
     *
     * @throws DuplicateEmailException when the e-mail is taken
     */
    UserRecord register(String email, String passwordHash);

    /** Creates an account with the given role (an admin adding a user). */
    UserRecord create(String email, String passwordHash, Role role);

    Optional<UserRecord> findByEmail(String email);

    /** Replaces an account's password hash. */
    void updatePasswordHash(long id, String passwordHash);

    Optional<UserRecord> findById(long id);

    List<UserRecord> list();
}
