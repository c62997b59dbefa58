package io.streamhelper.relay.api;

import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The body of GET /api/v1/stats: the streams on air (live or reconnecting) this caller may see,
 * each with its destinations. Built from names, addresses and counters only; no key is ever read here.
 */
record StatsReport(String generatedAt, List<StreamStats> streams) {

    static StatsReport of(StreamRegistry registry, Caller caller, Instant now) {
        List<StreamStats> visible = registry.liveStreams().stream()
                .filter(stream -> caller.mayRead(stream.ownerId()))
                .filter(stream -> stream.state() != StreamState.ENDED) // ending: about to leave the registry
                .sorted(Comparator.comparing(LiveStream::name).thenComparing(LiveStream::id))
                .map(stream -> StreamStats.of(stream, registry.relays(stream), now))
                .toList();
        return new StatsReport(now.toString(), visible);
    }
}
