package io.streamhelper.relay.engine.stream;

import io.streamhelper.relay.engine.publish.PublishRejectedException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** Hears every publisher gap as it closes (metrics keep the histogram of lengths). */
    public interface GapObserver {
        /** {@code bridged}: a publisher came back within the grace; otherwise the grace ran out. */
        void gapClosed(Duration length, boolean bridged);
    }

    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder gapsBridged = new LongAdder();
    private final LongAdder gapsExpired = new LongAdder();
    private final List<GapObserver> gapObservers = new CopyOnWriteArrayList<>();
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

    /** A publisher came back within the grace: the gap of this length was bridged. */
    public void gapBridged(Duration length) {
        gapsBridged.increment();
        gapObservers.forEach(o -> o.gapClosed(length, true));
    }

    /** The grace ran out after this long with no publisher back: the stream ended. */
    public void gapExpired(Duration length) {
        gapsExpired.increment();
        gapObservers.forEach(o -> o.gapClosed(length, false));
    }

    public void observeGaps(GapObserver observer) {
        gapObservers.add(observer);
    }

    public long gapsBridged() {
        return gapsBridged.sum();
    }

    public long gapsExpired() {
        return gapsExpired.sum();
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
