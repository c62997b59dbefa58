package io.streamhelper.relay.core.stream;

import io.streamhelper.relay.core.publish.PublishRejectedException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide running totals for monitoring, kept across streams that come and go (a live
 * stream's own figures vanish with it). LongAdder: the media path only ever adds.
 */
public final class RelayCounters {
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder destinationFailures = new LongAdder();
    private final LongAdder destinationRejections = new LongAdder();
    private final Map<PublishRejectedException.Reason, LongAdder> publishRejections =
            new EnumMap<>(PublishRejectedException.Reason.class);

    public RelayCounters() {
        for (PublishRejectedException.Reason reason : PublishRejectedException.Reason.values()) {
            publishRejections.put(reason, new LongAdder());
        }
    }

    void addBytesIn(long bytes) {
        bytesIn.add(bytes);
    }

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
        destinationFailures.increment();
    }

    /** A destination refused us (bad key, error status). */
    public void destinationRejected() {
        destinationRejections.increment();
    }

    void publishRejected(PublishRejectedException.Reason reason) {
        publishRejections.get(reason).increment();
    }

    public long bytesIn() {
        return bytesIn.sum();
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

    public long destinationFailures() {
        return destinationFailures.sum();
    }

    public long destinationRejections() {
        return destinationRejections.sum();
    }

    public long publishRejections(PublishRejectedException.Reason reason) {
        return publishRejections.get(reason).sum();
    }
}
