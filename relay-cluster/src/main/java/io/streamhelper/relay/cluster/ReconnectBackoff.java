package io.streamhelper.relay.cluster;

import java.time.Duration;

/**
 * How long the bus waits before each attempt to listen again: 0.5 s, doubling to 5 s, back to
 * 0.5 s once it listens. Short, unlike a destination's: a node not listening misses changes, and
 * the database it waits for is the one it already uses for everything else. One thread uses it.
 */
final class ReconnectBackoff {
    static final Duration FIRST = Duration.ofMillis(500);
    static final Duration MAX = Duration.ofSeconds(5);

    private Duration next = FIRST;

    /** The wait before the next attempt; each call doubles the one after, up to {@link #MAX}. */
    Duration next() {
        Duration now = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(MAX) > 0 ? MAX : doubled;
        return now;
    }

    /** The wait {@link #next()} will give, without taking it (for the log). */
    Duration peek() {
        return next;
    }

    /** Listening again: the next loss starts from {@link #FIRST}. */
    void reset() {
        next = FIRST;
    }
}
