package io.streamhelper.relay.api;

import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The body of GET /api/v1/stats: the streams on air (live or reconnecting) this caller may see,
 * each with its destinations. Built from names, addresses and counters only; no key is ever read here.
 */
record StatsReport(String generatedAt, List<StreamStats> streams) {

    static StatsReport of(StreamRegistry registry, Caller caller, Instant now, StreamNames names) {
        List<LiveStream> shown = registry.liveStreams().stream()
                .filter(stream -> caller.mayRead(stream.ownerId()))
                .filter(stream -> stream.state() != StreamState.ENDED) // ending: about to leave the registry
                .toList();
        Map<String, String> current = currentNames(shown, names);
        List<StreamStats> visible = shown.stream()
                .map(stream -> StreamStats.of(stream, current.getOrDefault(stream.id(), stream.name()), registry.relays(stream), now))
                .sorted(Comparator.comparing(StreamStats::name).thenComparing(StreamStats::id))
                .toList();
        return new StatsReport(now.toString(), visible);
    }

    /** The stored names; the grants' names while the database does not answer (the stats still matter then). */
    private static Map<String, String> currentNames(List<LiveStream> shown, StreamNames names) {
        if (shown.isEmpty()) {
            return Map.of();
        }
        try {
            return names.of(shown.stream().map(LiveStream::id).toList());
        } catch (RuntimeException databaseDown) {
            return Map.of();
        }
    }
}
