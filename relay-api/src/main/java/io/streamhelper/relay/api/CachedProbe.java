package io.streamhelper.relay.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * A probe (the database check of the anonymous health check) run at most once per
 * {@code maxAge}: without it every unauthenticated health request was a database query. The
 * answer is at most {@code maxAge} old, so a database going down is seen within that time.
 * Concurrent callers wait for the one probe in flight rather than each starting one.
 */
final class CachedProbe implements BooleanSupplier {
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final BooleanSupplier probe;
    private final Clock clock;
    private final Duration maxAge;
    private Instant probedAt; // guarded by this
    private boolean result; // guarded by this

    CachedProbe(BooleanSupplier probe, Clock clock, Duration maxAge) {
        this.probe = probe;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    @Override
    public synchronized boolean getAsBoolean() {
        Instant now = clock.instant();
        // A clock that went backwards (probedAt in the future) also probes again.
        if (probedAt == null || now.isBefore(probedAt) || !now.isBefore(probedAt.plus(maxAge))) {
            result = probe.getAsBoolean();
            probedAt = now;
        }
        return result;
    }
}
