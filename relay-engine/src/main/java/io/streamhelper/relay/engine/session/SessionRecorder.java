package io.streamhelper.relay.engine.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Records one stream session as it happens, for the {@link SessionReport} the registry hands its
 * listener when the stream ends. One per {@link io.streamhelper.relay.engine.stream.LiveStream};
 * fed by the destination relays (their state changes and counters) and finished by the registry's
 * end path, which knows the reason. Written only on the stream's event loop; while the stream is
 * live, other threads (the API) read {@link #destinationsSoFar}, built from the snapshot each
 * change publishes.
 *
 * <p>Times are the stream's monotonic clock (virtual in tests) laid on the wall-clock instant
 * the stream began, so they stay in order whatever the system clock does meanwhile.
 */
public final class SessionRecorder {
    private final String streamId;
    private final Instant startedAt;
    private final long startNanos;
    private final LongSupplier nanoClock;
    /** By destination id, in the order they first appeared; bounded by the stream's destinations ever applied. */
    private final Map<String, DestinationHistory> destinations = new LinkedHashMap<>();
    /**
     * Every destination's last snapshot, in the order above: replaced whole (never changed) on the
     * loop at each change, read by any thread.
     */
    private volatile List<DestinationHistory.Snapshot> published = List.of();

    public SessionRecorder(String streamId, Instant startedAt, LongSupplier nanoClock) {
        this.streamId = streamId;
        this.startedAt = startedAt;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The history of this destination, begun now if this is its first relay of the session. */
    public DestinationHistory destination(String id, String name, String platform, String url) {
        return destinations.computeIfAbsent(id, key -> new DestinationHistory(this, id, name, platform, url));
    }

    /**
     * Each destination's part of the session so far, from any thread: its states until now, its
     * live time until now, and its counters with the running relay's added. What the API shows
     * of a session still live.
     */
    public List<SessionReport.Destination> destinationsSoFar() {
        List<DestinationHistory.Snapshot> snapshots = published;
        long now = nanoTime();
        return snapshots.stream().map(s -> s.at(now)).toList();
    }

    /** The session is over: what it was, for good. */
    public SessionReport finish(EndReason reason, long bytesIn, long videoFrames, long publisherReconnects) {
        long now = nanoTime();
        List<SessionReport.Destination> reports = new ArrayList<>(destinations.size());
        destinations.values().forEach(d -> reports.add(d.snapshot().at(now)));
        return new SessionReport(streamId, startedAt, wallTime(now), reason, bytesIn, videoFrames, publisherReconnects,
                reports);
    }

    /** On the loop: a destination's history changed; publish them all again. */
    void published() {
        List<DestinationHistory.Snapshot> all = new ArrayList<>(destinations.size());
        destinations.values().forEach(d -> all.add(d.snapshot()));
        published = List.copyOf(all);
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    Instant wallTime(long nanos) {
        return startedAt.plus(Duration.ofNanos(nanos - startNanos));
    }
}
