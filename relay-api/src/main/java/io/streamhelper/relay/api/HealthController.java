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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * GET /api/v1/server/healthcheck: no auth, no secrets, just whether and how busy the relay is. A
 * stream waiting for its encoder to reconnect is counted, not a reason for 503: the server is fine.
 * 503 with a reason while starting, while shutting down, or when the database does not answer,
 * so a load balancer or Docker takes the server out of rotation at those times; and while this
 * node is fenced from its cluster (it refuses publishers then). The database is
 * probed at most once a second ({@link CachedProbe}), however often the check is called, and a
 * probe that takes over 750 ms counts as unreachable ({@link BoundedProbe}): the check always answers.
 * With RTMPS on, an expiring or expired certificate makes the status DEGRADED, still 200: the
 * relay takes publishers (plain RTMP, and RTMPS clients that do not check), and a 503 would have
 * a load balancer or orchestrator take it away or restart it, which renews nothing.
 */
final class HealthController {
    private enum Phase { STARTING, RUNNING, STOPPING }

    static final String FENCED = "fenced from the cluster (database heartbeat lost)";

    private final StreamRegistry registry;
    private final ServiceView service;
    private final Clock clock;
    private final BooleanSupplier databaseUp;
    private final BoundedProbe probe;
    private final Instant startedAt;
    private final Optional<ApiServer.RtmpsCertificate> rtmps;
    private final BooleanSupplier fenced;
    private volatile Phase phase = Phase.STARTING;

    HealthController(ServiceView service, Clock clock, BooleanSupplier databaseUp, Optional<ApiServer.RtmpsCertificate> rtmps) {
        this(service, clock, databaseUp, rtmps, Optional.empty());
    }

    HealthController(ServiceView service, Clock clock, BooleanSupplier databaseUp, Optional<ApiServer.RtmpsCertificate> rtmps,
            Optional<ApiServer.Cluster> cluster) {
        this.fenced = cluster.map(ApiServer.Cluster::fenced).orElse(() -> false);
        this.service = service;
        this.registry = service.registry();
        this.clock = clock;
        this.rtmps = rtmps;
        // Anonymous callers must not be able to turn health checks into database queries; and a
        // database that is gone must make the check say so, not hang for the pool's checkout timeout.
        this.probe = new BoundedProbe(databaseUp, BoundedProbe.LIMIT);
        this.databaseUp = new CachedProbe(probe, clock, CachedProbe.MAX_AGE);
        this.startedAt = clock.instant();
    }

    void ready() {
        phase = Phase.RUNNING;
    }

    void stopping() {
        phase = Phase.STOPPING;
    }

    void close() {
        probe.close();
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
            // Fenced: it relays nothing and refuses every publisher until a heartbeat succeeds,
            // even if the database answers the probe again: a balancer should send them elsewhere.
            case RUNNING -> fenced.getAsBoolean() ? FENCED
                    : databaseUp.getAsBoolean() ? null : "database unreachable";
        };
        Optional<RtmpsExpiry> certificate = rtmps.map(c -> RtmpsExpiry.at(now, c.notAfter().get(), c.warnBefore()));
        List<String> warnings = certificate.map(RtmpsExpiry::warning).stream().filter(Objects::nonNull).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problem != null ? "UNAVAILABLE" : warnings.isEmpty() ? "OK" : "DEGRADED");
        if (problem != null) {
            body.put("reason", problem);
        }
        if (!warnings.isEmpty()) {
            body.put("warnings", warnings);
        }
        body.put("timestamp", now.toString());
        body.put("activeStreams", live.size());
        body.put("reconnectingStreams", reconnecting);
        body.put("activeRelays", activeRelays);
        body.put("uptime", Duration.between(startedAt, now).toSeconds());
        // The whole service (several nodes on one PostgreSQL): the others as they last published.
        body.put("node", service.nodeId());
        body.put("nodes", service.nodes());
        body.put("serviceActiveStreams", live.size() + service.remoteStreams().size());
        certificate.ifPresent(c -> body.put("rtmps", c.json()));
        ctx.status(problem == null ? 200 : 503).json(body);
    }
}
