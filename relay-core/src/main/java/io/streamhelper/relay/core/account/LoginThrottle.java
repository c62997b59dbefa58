package io.streamhelper.relay.core.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Slows down password guessing, per account and per client address: after {@code freeFailures}
 * failed logins, each further failure locks that account (or address) for a delay that doubles,
 * up to {@code maxDelay}. A success clears the account's record. Records of quiet accounts are
 * forgotten, and the table never holds more than {@code maxEntries}, so guessing at random e-mail
 * addresses cannot grow memory without bound.
 */
public final class LoginThrottle {
    private record Failures(int count, Instant lockedUntil, Instant lastFailure) {
    }

    private final Clock clock;
    private final int freeFailures;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final int maxEntries;
    private final ConcurrentMap<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock, int freeFailures, Duration baseDelay, Duration maxDelay, int maxEntries) {
        this.clock = clock;
        this.freeFailures = freeFailures;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxEntries = maxEntries;
    }

    public static LoginThrottle defaults(Clock clock) {
        return new LoginThrottle(clock, 5, Duration.ofSeconds(1), Duration.ofMinutes(15), 100_000);
    }

    /** How long the caller must still wait before a login for this account from this address is tried. */
    public Optional<Duration> waitFor(String account, String address) {
        Instant now = clock.instant();
        Instant until = later(lockedUntil("account:" + account), lockedUntil("address:" + address));
        return until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
    }

    public void failed(String account, String address) {
        record("account:" + account);
        record("address:" + address);
    }

    public void succeeded(String account) {
        failures.remove("account:" + account);
    }

    private Instant lockedUntil(String key) {
        Failures f = failures.get(key);
        return f == null ? Instant.EPOCH : f.lockedUntil();
    }

    private void record(String key) {
        Instant now = clock.instant();
        if (failures.size() >= maxEntries) {
            forgetQuiet(now);
        }
        failures.compute(key, (k, old) -> {
            int count = old == null || isQuiet(old, now) ? 1 : old.count() + 1;
            Instant locked = count > freeFailures ? now.plus(delayFor(count - freeFailures)) : Instant.EPOCH;
            return new Failures(count, locked, now);
        });
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

    private void forgetQuiet(Instant now) {
        failures.values().removeIf(f -> isQuiet(f, now));
        if (failures.size() >= maxEntries) {
            // Still full of active records: an attack from many addresses. Forgetting all is the
            // bounded choice; the per-account locks of real users come back after a few failures.
            failures.clear();
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
