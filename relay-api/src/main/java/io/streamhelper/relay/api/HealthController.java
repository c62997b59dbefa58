package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * GET /api/v1/server/healthcheck: no auth, no secrets, just whether and how busy the relay is. A
 * stream waiting for its encoder to reconnect is counted, not a reason for 503: the server is fine.
 * 503 with a reason while starting, while shutting down, or when the database does not answer,
 * so a load balancer or Docker takes the server out of rotation at those times. The database is
 * probed at most once a second ({@link CachedProbe}), however often the check is called.
 */
final class HealthController {
    private enum Phase { STARTING, RUNNING, STOPPING }

    private final StreamRegistry registry;
    private final Clock clock;
    private final BooleanSupplier databaseUp;
    private final Instant startedAt;
    private volatile Phase phase = Phase.STARTING;

    HealthController(StreamRegistry registry, Clock clock, BooleanSupplier databaseUp) {
        this.registry = registry;
        this.clock = clock;
        // Anonymous callers must not be able to turn health checks into database queries.
        this.databaseUp = new CachedProbe(databaseUp, clock, CachedProbe.MAX_AGE);
        this.startedAt = clock.instant();
    }

    void ready() {
        phase = Phase.RUNNING;
    }

    void stopping() {
        phase = Phase.STOPPING;
    }

    void get(Context ctx) {
        Collection<LiveStream> live = registry.liveStreams();
        // activeStreams counts every stream on air, reconnecting ones included: their destinations
        // are still published. reconnectingStreams is the part of it waiting for its encoder.
        long reconnecting = live.stream().filter(s -> OnAir.of(s).reconnecting()).count();
        long activeRelays = live.stream()
                .flatMap(s -> registry.relays(s).stream())
                .filter(r -> r.state() == DestinationState.LIVE)
                .count();
        Instant now = clock.instant();
        String problem = switch (phase) {
            case STARTING -> "starting up";
            case STOPPING -> "shutting down";
            case RUNNING -> databaseUp.getAsBoolean() ? null : "database unreachable";
        };
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problem == null ? "OK" : "UNAVAILABLE");
        if (problem != null) {
            body.put("reason", problem);
        }
        body.put("timestamp", now.toString());
        body.put("activeStreams", live.size());
        body.put("reconnectingStreams", reconnecting);
        body.put("activeRelays", activeRelays);
        body.put("uptime", Duration.between(startedAt, now).toSeconds());
        ctx.status(problem == null ? 200 : 503).json(body);
    }
}
