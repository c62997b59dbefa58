package io.streamhelper.relay.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.RelayCounters;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Duration;
import java.util.List;

/**
 * The metrics of broadcast continuity: streams by state, and the gaps in which a stream waited
 * for its encoder, by outcome ({@code bridged}: an encoder came back within the grace;
 * {@code expired}: the grace ran out and the stream ended). Every series exists from the start,
 * so a dashboard never sees one appear out of nowhere.
 */
final class PublisherGapMetrics {
    /**
     * Gap lengths worth telling apart: OBS retries after 1 to a few seconds (its default delay is
     * 2 s, doubling per attempt), a router or Wi-Fi comes back in tens of seconds, and anything
     * past the default 30 s grace only happens with a longer one.
     */
    static final List<Duration> GAP_BUCKETS = List.of(1, 2, 5, 10, 20, 30, 60, 120, 300).stream()
            .map(Duration::ofSeconds).toList();

    private PublisherGapMetrics() {
    }

    static void register(MeterRegistry registry, StreamRegistry streams) {
        for (StreamState state : List.of(StreamState.LIVE, StreamState.RECONNECTING)) {
            Gauge.builder("relay_streams", streams, s -> s.liveStreams().stream().filter(l -> l.state() == state).count())
                    .tag("state", state.wireName())
                    .description("streams on air by state: live (an encoder is sending) or reconnecting (waiting for one)")
                    .register(registry);
        }
        RelayCounters counters = streams.counters();
        FunctionCounter.builder("relay_publisher_gaps", counters, RelayCounters::gapsBridged).tag("outcome", "bridged")
                .description("publisher gaps closed: bridged (an encoder came back in time) or expired (the stream ended)")
                .register(registry);
        FunctionCounter.builder("relay_publisher_gaps", counters, RelayCounters::gapsExpired).tag("outcome", "expired")
                .description("publisher gaps closed: bridged (an encoder came back in time) or expired (the stream ended)")
                .register(registry);
        Timer bridged = gapTimer(registry, "bridged");
        Timer expired = gapTimer(registry, "expired");
        counters.observeGaps((length, wasBridged) -> (wasBridged ? bridged : expired).record(length));
    }

    private static Timer gapTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("relay_publisher_gap")
                .tag("outcome", outcome)
                .serviceLevelObjectives(GAP_BUCKETS.toArray(Duration[]::new)) // these buckets only, no percentile histogram
                .description("how long streams waited for their encoder, by outcome")
                .register(registry);
    }
}
