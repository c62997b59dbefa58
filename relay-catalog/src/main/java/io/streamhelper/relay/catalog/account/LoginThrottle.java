package io.streamhelper.relay.catalog.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing without handing a stranger the power to lock an account's owner
 * out (the lockout denial of service OWASP warns about; the idea is Microsoft's "smart lockout").
 *
 * <p>Three failure records, each locking for a delay that doubles from {@code baseDelay} up to
 * {@code maxDelay} once it has more than {@code freeFailures} failures:
 * <ul>
 * <li>per (account, address): one client guessing one account. Its lock always applies.</li>
 * <li>per address: one client guessing many accounts (password spraying). Its lock always applies.
 *     A successful login does not clear it, or an attacker with an account of their own could
 *     log into it between guesses to start afresh.</li>
 * <li>per account: a guessing campaign against one account, from anywhere (many addresses each
 *     staying under their own limits). Its lock applies only to addresses that have failed before
 *     (they are part of the campaign, or at least not known to be the owner). An address with no
 *     failure record, and an address that logged into this account in the last 30 days (even
 *     after a typo since), go on to the password check: the owner at home keeps getting in while
 *     the account is attacked from elsewhere. A wrong password from a clean address is recorded
 *     like any other, so a fresh address buys an attacker one guess, after which it waits like
 *     the rest; each guess costs the attacker an address and the server an Argon2id hash. A
 *     known address still obeys its own two locks: it is exempt from the others' doing only.</li>
 * </ul>
 *
 * <p>An address here is an {@link AddressBlock}: an IPv6 client counts as its /64, or it would
 * have endless clean addresses.
 *
 * <p>The records live in access-ordered maps of at most {@code maxEntries}; making room drops the
 * record used least recently, in constant time. A flood from many addresses thus keeps memory
 * fixed and cannot wipe the lock of an address that keeps guessing (its records are touched on
 * every attempt); at worst it pushes out the records of those quiet the longest. A record whose
 * lock has passed and that saw no failure for {@code maxDelay} counts from zero again.
 */
public final class LoginThrottle {
    private record Failures(int count, Instant lockedUntil, Instant lastFailure) {
    }

    /** How long a login from an address keeps it exempt from the account lock. */
    static final Duration KNOWN_GOOD_FOR = Duration.ofDays(30);

    private final Clock clock;
    private final int freeFailures;
    private final Duration baseDelay;
    private final Duration maxDelay;
    /** Failure records, keyed "pair:", "address:" and "account:". Guarded by this. */
    private final Map<String, Failures> failures;
    /** (account, address) pairs that logged in, and when last; they skip the account lock. Guarded by this. */
    private final Map<String, Instant> knownGood;

    public LoginThrottle(Clock clock, int freeFailures, Duration baseDelay, Duration maxDelay, int maxEntries) {
        this.clock = clock;
        this.freeFailures = freeFailures;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.failures = lru(maxEntries);
        this.knownGood = lru(maxEntries);
    }

    public static LoginThrottle defaults(Clock clock) {
        return new LoginThrottle(clock, 5, Duration.ofSeconds(1), Duration.ofMinutes(15), 100_000);
    }

    /** How long the caller must still wait before a login for this account from this address is tried. */
    public synchronized Optional<Duration> waitFor(String account, String address) {
        Instant now = clock.instant();
        Failures pair = live(pairKey(account, address), now);
        Failures fromAddress = live(addressKey(address), now);
        Instant until = later(lockedUntil(pair), lockedUntil(fromAddress));
        boolean clean = pair == null && fromAddress == null;
        if (!clean && !isKnownGood(account, address, now)) {
            until = later(until, lockedUntil(live(accountKey(account), now)));
        }
        return until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
    }

    public synchronized void failed(String account, String address) {
        Instant now = clock.instant();
        record(pairKey(account, address), now);
        record(addressKey(address), now);
        record(accountKey(account), now);
    }

    /**
     * The right password: this client's record against this account is cleared and the address
     * is remembered as the owner's. The address and account records stay (see the class comment):
     * they fade when the guessing stops.
     */
    public synchronized void succeeded(String account, String address) {
        failures.remove(pairKey(account, address));
        knownGood.put(pairKey(account, address), clock.instant());
    }

    private boolean isKnownGood(String account, String address, Instant now) {
        Instant lastLogin = knownGood.get(pairKey(account, address));
        return lastLogin != null && lastLogin.plus(KNOWN_GOOD_FOR).isAfter(now);
    }

    /** How many records are held (for tests of the bound). */
    synchronized int entries() {
        return failures.size() + knownGood.size();
    }

    /** The record under this key, or null when there is none or it has gone quiet. */
    private Failures live(String key, Instant now) {
        Failures f = failures.get(key);
        return f == null || isQuiet(f, now) ? null : f;
    }

    private void record(String key, Instant now) {
        Failures old = live(key, now);
        int count = old == null ? 1 : old.count() + 1;
        Instant locked = count > freeFailures ? now.plus(delayFor(count - freeFailures)) : Instant.EPOCH;
        failures.put(key, new Failures(count, locked, now));
    }

    private Duration delayFor(int lockouts) {
        int doublings = Math.min(lockouts - 1, 30);
        Duration delay = baseDelay.multipliedBy(1L << doublings);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /** A record whose lock has passed and that saw no failure for the longest delay is forgotten. */
    private boolean isQuiet(Failures f, Instant now) {
        return f.lastFailure().plus(maxDelay).isBefore(now) && !f.lockedUntil().isAfter(now);
    }

    private static Instant lockedUntil(Failures f) {
        return f == null ? Instant.EPOCH : f.lockedUntil();
    }

    /** Addresses are counted by {@link AddressBlock}: an IPv6 client by its /64. */
    private static String pairKey(String account, String address) {
        return "pair:" + account + "\u0000" + AddressBlock.of(address);
    }

    private static String addressKey(String address) {
        return "address:" + AddressBlock.of(address);
    }

    private static String accountKey(String account) {
        return "account:" + account;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static <V> Map<String, V> lru(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a login throttle needs room for a record");
        }
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxEntries;
            }
        };
    }
}
