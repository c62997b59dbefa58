package io.streamhelper.relay.api;

import io.streamhelper.relay.engine.stream.LiveStream;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The body of GET /api/v1/stats: the live streams this caller may see, each with its
 * destinations. Built from names, addresses and counters only; no key is ever read here.
 */
record StatsReport(String generatedAt, List<StreamStats> streams) {

    static StatsReport of(Collection<LiveStream> live, Caller caller, Instant now) {
        List<StreamStats> visible = live.stream()
                .filter(stream -> caller.mayRead(stream.ownerId()))
                .sorted(Comparator.comparing(LiveStream::name).thenComparing(LiveStream::id))
                .map(stream -> StreamStats.of(stream, now))
                .toList();
        return new StatsReport(now.toString(), visible);
    }
}
