package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.DuplicateEmailException;
import io.streamhelper.relay.catalog.store.Role;
import io.streamhelper.relay.catalog.store.StoreException;
import io.streamhelper.relay.catalog.store.UserRecord;
import io.streamhelper.relay.catalog.store.UserStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;

final class JdbiUserStore implements UserStore {
    private static final String COLUMNS = "id, email, password_hash, role, created_at";

    // One statement decides the role and inserts, so no other registration can slip in between.
    // Where the database does not serialise the two (PostgreSQL, READ COMMITTED), the unique
    // first_account column refuses the second "first" account and register() retries.
    private static final String REGISTER = """
            INSERT INTO users (email, email_normalized, password_hash, role, first_account, created_at)
            SELECT :email, :normalized, :hash,
                   CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'user' ELSE 'admin' END,
                   CASE WHEN EXISTS (SELECT 1 FROM users) THEN NULL ELSE 1 END,
                   :now
            RETURNING id, role
            """;

    private final Jdbi jdbi;
    private final Clock clock;

    JdbiUserStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @Override
    public UserRecord register(String email, String passwordHash) {
        long now = clock.millis();
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbi.withHandle(handle -> handle.createQuery(REGISTER)
                        .bind("email", email)
                        .bind("normalized", normalize(email))
                        .bind("hash", passwordHash)
                        .bind("now", now)
                        .map((rs, ctx) -> new UserRecord(rs.getLong("id"), email, passwordHash,
                                Role.fromWireName(rs.getString("role")), Sql.instant(now)))
                        .one());
            } catch (JdbiException e) {
                if (!Sql.isUniqueViolation(e)) {
                    throw new StoreException("could not register an account", e);
                }
                if (findByEmail(email).isPresent()) {
                    throw new DuplicateEmailException();
                }
                if (attempt == 2) {
                    throw new StoreException("could not register an account", e);
                }
                // Another registration took the first-account slot meanwhile; now we are second.
            }
        }
    }

    @Override
    public UserRecord create(String email, String passwordHash, Role role) {
        long now = clock.millis();
        try {
            long id = jdbi.withHandle(handle -> handle.createQuery("""
                            INSERT INTO users (email, email_normalized, password_hash, role, created_at)
                            VALUES (:email, :normalized, :hash, :role, :now)
                            RETURNING id
                            """)
                    .bind("email", email)
                    .bind("normalized", normalize(email))
                    .bind("hash", passwordHash)
                    .bind("role", role.wireName())
                    .bind("now", now)
                    .mapTo(Long.class)
                    .one());
            return new UserRecord(id, email, passwordHash, role, Sql.instant(now));
        } catch (JdbiException e) {
            if (Sql.isUniqueViolation(e)) {
                throw new DuplicateEmailException();
            }
            throw new StoreException("could not create an account", e);
        }
    }

    @Override
    public Optional<UserRecord> findByEmail(String email) {
        return Sql.guard("find an account by email", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM users WHERE email_normalized = :normalized")
                .bind("normalized", normalize(email))
                .map(JdbiUserStore::map)
                .findOne()));
    }

    @Override
    public Optional<UserRecord> findById(long id) {
        return Sql.guard("find account " + id, () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM users WHERE id = :id")
                .bind("id", id)
                .map(JdbiUserStore::map)
                .findOne()));
    }

    @Override
    public void updatePasswordHash(long id, String passwordHash) {
        int changed = Sql.guard("change the password of account " + id, () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE users SET password_hash = :hash WHERE id = :id")
                .bind("hash", passwordHash)
                .bind("id", id)
                .execute()));
        if (changed == 0) {
            throw new java.util.NoSuchElementException("no account " + id);
        }
    }

    @Override
    public List<UserRecord> list() {
        return Sql.guard("list accounts", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM users ORDER BY id")
                .map(JdbiUserStore::map)
                .list()));
    }

    /** Addresses differing only in case (or surrounding blanks) name the same account. */
    static String normalize(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static UserRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new UserRecord(rs.getLong("id"), rs.getString("email"), rs.getString("password_hash"),
                Role.fromWireName(rs.getString("role")), Sql.instant(rs.getLong("created_at")));
    }
}
