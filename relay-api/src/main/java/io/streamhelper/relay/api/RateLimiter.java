package io.streamhelper.relay.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a client address, a user): {@code burst} requests at once, refilled at
 * {@code perSecond}. The buckets live in an access-ordered map of at most {@code maxKeys}: when a
 * new key would make one more, the least recently used bucket is dropped, in constant time. A
 * flood from many addresses therefore costs O(1) per request and a fixed amount of memory, never
 * a scan of the table. Dropping a bucket only ever gives its key a full bucket back, so the worst
 * a flood can do is let the key it pushed out (the one quiet the longest) start afresh; a key
 * that keeps sending stays at the recent end and keeps its empty bucket.
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

    static final int DEFAULT_MAX_KEYS = 100_000;

    private final Limit limit;
    private final LongSupplier nanoTime;
    /** Guarded by itself: one short critical section per request (a lookup and a few flops). */
    private final LinkedHashMap<String, Bucket> buckets;

    RateLimiter(Limit limit, int maxKeys, LongSupplier nanoTime) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("a rate limiter needs room for a key");
        }
        this.limit = limit;
        this.nanoTime = nanoTime;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxKeys;
            }
        };
    }

    RateLimiter(Limit limit) {
        this(limit, DEFAULT_MAX_KEYS, System::nanoTime);
    }

    /** Takes one token for the key; when none is left, how long until one will be. */
    Optional<Duration> acquire(String key) {
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket bucket = buckets.get(key);
            if (bucket == null) {
                bucket = new Bucket(limit.burst(), now);
                buckets.put(key, bucket);
            }
            double tokens = Math.min(limit.burst(), bucket.tokens + (now - bucket.updatedNanos) / 1e9 * limit.perSecond());
            bucket.updatedNanos = now;
            if (tokens >= 1) {
                bucket.tokens = tokens - 1;
                return Optional.empty();
            }
            bucket.tokens = tokens;
            long waitNanos = (long) Math.ceil((1 - tokens) / limit.perSecond() * 1e9);
            return Optional.of(Duration.ofNanos(waitNanos));
        }
    }

    /** How many keys have a bucket now. */
    int size() {
        synchronized (buckets) {
            return buckets.size();
        }
    }
}
