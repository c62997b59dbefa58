package io.streamhelper.relay.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a client address, a user): {@code burst} requests at once, refilled at
 * {@code perSecond}. A bucket that has filled up again is the same as no bucket, so idle keys are
 * dropped whenever the table reaches {@code maxKeys}: a flood from many addresses cannot grow
 * memory without bound.
 */
final class RateLimiter {
    /** Requests per second sustained, and how many may come at once. */
    record Limit(double perSecond, int burst) {
        Limit {
            if (perSecond <= 0 || burst < 1) {
                throw new IllegalArgumentException("a rate limit needs a positive rate and burst");
            }
        }
    }

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    private final Limit limit;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(Limit limit, int maxKeys, LongSupplier nanoTime) {
        this.limit = limit;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    RateLimiter(Limit limit) {
        this(limit, 100_000, System::nanoTime);
    }

    /** Takes one token for the key; when none is left, how long until one will be. */
    Optional<Duration> acquire(String key) {
        long now = nanoTime.getAsLong();
        if (buckets.size() >= maxKeys) {
            buckets.values().removeIf(b -> {
                synchronized (b) {
                    return refill(b, now) >= limit.burst();
                }
            });
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(limit.burst(), now));
        synchronized (bucket) {
            double tokens = refill(bucket, now);
            if (tokens >= 1) {
                bucket.tokens = tokens - 1;
                return Optional.empty();
            }
            bucket.tokens = tokens;
            long waitNanos = (long) Math.ceil((1 - tokens) / limit.perSecond() * 1e9);
            return Optional.of(Duration.ofNanos(waitNanos));
        }
    }

    private double refill(Bucket b, long now) {
        double refilled = Math.min(limit.burst(), b.tokens + (now - b.updatedNanos) / 1e9 * limit.perSecond());
        b.tokens = refilled;
        b.updatedNanos = now;
        return refilled;
    }
}
