package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * GET /api/v1/stats (JSON, for the caller's own streams; admins see all) and GET /stat (the
 * HTML page that shows that JSON and refreshes it). The page needs no auth because it holds no
 * data; the JSON needs a {@link Caller}, set by the authentication step.
 */
final class StatsController {
    private final ServiceView service;
    private final Clock clock;
    private final StreamNames names;
    private final StatPage page = new StatPage();

    /** Every stream shown with the name its publisher went live with. */
    StatsController(StreamRegistry registry, Clock clock) {
        this(new ServiceView("local", registry, io.streamhelper.relay.catalog.cluster.OtherNodes.NONE), clock, ids -> Map.of());
    }

    /**
     * @param service this node's streams and the other nodes'
     * @param names   the current (stored) names, so a stream renamed while live shows its new name
     */
    StatsController(ServiceView service, Clock clock, StreamNames names) {
        this.service = service;
        this.clock = clock;
        this.names = names;
    }

    void json(Context ctx) {
        Optional<Caller> caller = Caller.of(ctx);
        if (caller.isEmpty()) {
            ctx.status(401).json(Map.of("error", "sign in first: a valid bearer token is required"));
            return;
        }
        ctx.header("Cache-Control", "no-store");
        ctx.json(StatsReport.of(service, caller.get(), clock.instant(), names));
    }

    void page(Context ctx) {
        ctx.header("Content-Security-Policy", page.contentSecurityPolicy());
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-store");
        ctx.html(page.html());
    }
}
