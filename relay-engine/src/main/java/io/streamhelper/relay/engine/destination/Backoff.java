package io.streamhelper.relay.engine.destination;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for reconnects: 1 s doubling to a 60 s cap, each delay spread
 * by ±20 % so that many destinations that failed together do not come back in lockstep.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private int attempt;

    Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    long nextDelayMillis() {
        long base = Math.min(maxMillis, initialMillis << Math.min(attempt, 30));
        attempt++;
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Math.max(1, (long) (base * jitter));
    }

    void reset() {
        attempt = 0;
    }

    int attempts() {
        return attempt;
    }
}
