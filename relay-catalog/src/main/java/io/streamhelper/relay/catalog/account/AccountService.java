package io.streamhelper.relay.catalog.account;

import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.store.AuditLog;
import io.streamhelper.relay.catalog.store.DuplicateEmailException;
import io.streamhelper.relay.catalog.store.Role;
import io.streamhelper.relay.catalog.store.SessionStore;
import io.streamhelper.relay.catalog.store.UserRecord;
import io.streamhelper.relay.catalog.store.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Accounts and sessions: sign-up (the first account becomes admin; after that only when sign-up is
 * open, or by an admin), login with throttling, and bearer tokens that expire.
 */
public final class AccountService {
    /** A bearer token, shown once to whoever logged in; only its hash is stored. */
    public record Session(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Session[expiresAt=" + expiresAt + "]";
        }
    }

    /** The HTTP layer adds how long to wait. */
    static final String TOO_MANY_FAILURES = "too many failed logins";

    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 128;
    static final int MAX_EMAIL = 254;

    private final UserStore users;
    private final SessionStore sessions;
    private final AuditLog audit;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final Duration tokenLifetime;
    private final boolean signupOpen;

    public AccountService(UserStore users, SessionStore sessions, AuditLog audit, PasswordHasher hasher,
            LoginThrottle throttle, Clock clock, Duration tokenLifetime, boolean signupOpen) {
        this.users = users;
        this.sessions = sessions;
        this.audit = audit;
        this.hasher = hasher;
        this.throttle = throttle;
        this.clock = clock;
        this.tokenLifetime = tokenLifetime;
        this.signupOpen = signupOpen;
    }

    /**
     * What a sign-in page may offer: on a server with no account yet, creating the first one (the
     * admin); later, sign-up only when it is open. Says nothing about which accounts exist.
     */
    public record Signup(boolean firstAccount, boolean open) {
    }

    public Signup signup() {
        boolean first = users.list().isEmpty();
        return new Signup(first, first || signupOpen);
    }

    /** Self-service sign-up: open for the very first account (who becomes admin), then only if configured. */
    public UserRecord register(String email, String password) {
        String normalized = checkEmail(email);
        checkPassword(password);
        if (!signupOpen && !users.list().isEmpty()) {
            throw new ServiceException.Forbidden("sign-up is closed: ask an admin to create your account");
        }
        UserRecord user = insert(() -> users.register(normalized, hasher.hash(password)));
        audit.record(user.id(), "register", "user", user.id(), "role=" + user.role().wireName());
        return user;
    }

    /** An admin creates an account for someone. */
    public UserRecord createUser(long adminId, String email, String password, Role role) {
        requireAdmin(adminId);
        String normalized = checkEmail(email);
        checkPassword(password);
        UserRecord user = insert(() -> users.create(normalized, hasher.hash(password), role));
        audit.record(adminId, "create", "user", user.id(), "role=" + role.wireName());
        return user;
    }

    public List<UserRecord> listUsers(long adminId) {
        requireAdmin(adminId);
        return users.list();
    }

    /**
     * Checks the password and opens a session. Unknown e-mail and wrong password take the same
     * time and give the same answer; repeated failures lock the failing address for a growing
     * delay, and an account under attack makes addresses that have failed wait too, but never a
     * clean one or one its owner logged in from ({@link LoginThrottle}), so strangers cannot
     * lock the owner out. {@code clientAddress} is the client as resolved behind trusted proxies.
     */
    public Session login(String email, String password, String clientAddress) {
        String account = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        Optional<Duration> wait = throttle.waitFor(account, clientAddress);
        if (wait.isPresent()) {
            throw new ServiceException.Throttled(TOO_MANY_FAILURES, wait.get());
        }
        String candidate = password == null ? "" : password;
        Optional<UserRecord> user = account.isEmpty() ? Optional.empty() : users.findByEmail(account);
        boolean ok;
        if (user.isPresent()) {
            ok = hasher.verify(candidate, user.get().passwordHash());
        } else {
            hasher.verifyDummy(candidate);
            ok = false;
        }
        if (!ok) {
            throttle.failed(account, clientAddress);
            throw new ServiceException.Unauthenticated("invalid email or password");
        }
        throttle.succeeded(account, clientAddress);
        String token = Tokens.random(32);
        Instant expiresAt = clock.instant().plus(tokenLifetime);
        sessions.create(Tokens.sha256(token), user.get().id(), expiresAt);
        return new Session(token, expiresAt);
    }

    /** The user a bearer token belongs to, while it has not expired. */
    public Optional<UserRecord> authenticate(String token) {
        if (token == null || token.isBlank() || token.length() > 256) {
            return Optional.empty();
        }
        return sessions.userIdFor(Tokens.sha256(token), clock.instant()).flatMap(users::findById);
    }

    /** Ends the session of this token (logout). */
    public void logout(String token) {
        if (token != null && !token.isBlank()) {
            sessions.delete(Tokens.sha256(token));
        }
    }

    /**
     * Changes a password after checking the current one (throttled like a login, so a stolen
     * token cannot be used to guess it), and ends every session of the account: whoever else
     * held a token must log in again with the new password.
     */
    public void changePassword(long userId, String currentPassword, String newPassword, String clientAddress) {
        UserRecord user = users.findById(userId).orElseThrow(() -> new ServiceException.NotFound("account"));
        Optional<Duration> wait = throttle.waitFor(user.email(), clientAddress);
        if (wait.isPresent()) {
            throw new ServiceException.Throttled(TOO_MANY_FAILURES, wait.get());
        }
        if (!hasher.verify(currentPassword == null ? "" : currentPassword, user.passwordHash())) {
            throttle.failed(user.email(), clientAddress);
            throw new ServiceException.InvalidField("currentPassword", "currentPassword is not right");
        }
        checkPassword("newPassword", newPassword);
        users.updatePasswordHash(userId, hasher.hash(newPassword));
        int ended = sessions.deleteForUser(userId);
        audit.record(userId, "change-password", "user", userId, "sessions_ended=" + ended);
    }

    /** Forgets expired sessions; run now and then. */
    public int purgeExpiredSessions() {
        return sessions.deleteExpired(clock.instant());
    }

    private void requireAdmin(long userId) {
        boolean admin = users.findById(userId).map(u -> u.role() == Role.ADMIN).orElse(false);
        if (!admin) {
            throw new ServiceException.Forbidden("only an admin may do this");
        }
    }

    private static UserRecord insert(java.util.function.Supplier<UserRecord> insert) {
        try {
            return insert.get();
        } catch (DuplicateEmailException e) {
            throw new ServiceException.Conflict("an account with this email exists already");
        }
    }

    private static String checkEmail(String email) {
        if (email == null || email.isBlank()) {
            throw new ServiceException.InvalidField("email", "email is required");
        }
        String trimmed = email.trim();
        int at = trimmed.indexOf('@');
        if (trimmed.length() > MAX_EMAIL || at <= 0 || at != trimmed.lastIndexOf('@') || at == trimmed.length() - 1
                || trimmed.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new ServiceException.InvalidField("email", "email must be an address like name@example.com");
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }

    private static void checkPassword(String password) {
        checkPassword("password", password);
    }

    private static void checkPassword(String field, String password) {
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new ServiceException.InvalidField(field,
                    field + " must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
    }
}
