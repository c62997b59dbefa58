package io.streamhelper.relay.engine.stream;

import io.streamhelper.relay.engine.publish.PublishRejectedException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * Server-wide running totals for monitoring, kept across streams that come and go (a live
 * stream's own figures vanish with it). Destination figures are kept per platform, so an
 * operator sees which platform fails; the server-wide figure is their sum. LongAdder: the media
 * path only ever adds.
 */
public final class RelayCounters {
    /** What the destinations of one platform did. */
    public static final class Platform {
        private final LongAdder bytesOut = new LongAdder();
        private final LongAdder framesDropped = new LongAdder();
        private final LongAdder reconnects = new LongAdder();
        private final LongAdder failures = new LongAdder();
        private final LongAdder rejections = new LongAdder();

        /** Media payload bytes handed to destination connections. */
        public void addBytesOut(long bytes) {
            bytesOut.add(bytes);
        }

        public void frameDropped() {
            framesDropped.increment();
        }

        public void reconnected() {
            reconnects.increment();
        }

        /** A destination lost its connection (network error, stall). */
        public void destinationFailed() {
            failures.increment();
        }

        /** A destination refused us (bad key, error status). */
        public void destinationRejected() {
            rejections.increment();
        }

        public long bytesOut() {
            return bytesOut.sum();
        }

        public long framesDropped() {
            return framesDropped.sum();
        }

        public long reconnects() {
            return reconnects.sum();
        }

        public long failures() {
            return failures.sum();
        }

        public long rejections() {
            return rejections.sum();
        }
    }

    private final LongAdder bytesIn = new LongAdder();
    private final Map<String, Platform> platforms = new ConcurrentHashMap<>();
    private final Map<PublishRejectedException.Reason, LongAdder> publishRejections =
            new EnumMap<>(PublishRejectedException.Reason.class);

    public RelayCounters() {
        for (PublishRejectedException.Reason reason : PublishRejectedException.Reason.values()) {
            publishRejections.put(reason, new LongAdder());
        }
    }

    /** The counters of one platform ({@code twitch}, {@code youtube}, ..., {@code custom}); made on first use. */
    public Platform platform(String name) {
        return platforms.computeIfAbsent(name, n -> new Platform());
    }

    void addBytesIn(long bytes) {
        bytesIn.add(bytes);
    }

    public void publishRejected(PublishRejectedException.Reason reason) {
        publishRejections.get(reason).increment();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return sum(Platform::bytesOut);
    }

    public long framesDropped() {
        return sum(Platform::framesDropped);
    }

    public long reconnects() {
        return sum(Platform::reconnects);
    }

    public long destinationFailures() {
        return sum(Platform::failures);
    }

    public long destinationRejections() {
        return sum(Platform::rejections);
    }

    public long publishRejections(PublishRejectedException.Reason reason) {
        return publishRejections.get(reason).sum();
    }

    private long sum(ToLongFunction<Platform> figure) {
        return platforms.values().stream().mapToLong(figure).sum();
    }
}
