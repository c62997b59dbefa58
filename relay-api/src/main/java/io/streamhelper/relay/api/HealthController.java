package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.core.destination.DestinationState;
import io.streamhelper.relay.core.stream.LiveStream;
import io.streamhelper.relay.core.stream.StreamRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** GET /api/v1/server/healthcheck: no auth, no secrets, just whether and how busy the relay is. */
final class HealthController {
    private final StreamRegistry registry;
    private final Clock clock;
    private final Instant startedAt;

    HealthController(StreamRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    void get(Context ctx) {
        Collection<LiveStream> live = registry.liveStreams();
        long activeRelays = live.stream()
                .flatMap(s -> s.relays().stream())
                .filter(r -> r.state() == DestinationState.LIVE)
                .count();
        Instant now = clock.instant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "OK");
        body.put("timestamp", now.toString());
        body.put("activeStreams", live.size());
        body.put("activeRelays", activeRelays);
        body.put("uptime", Duration.between(startedAt, now).toSeconds());
        ctx.json(body);
    }
}
