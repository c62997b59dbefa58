package io.streamhelper.relay.api;

import io.javalin.Javalin;
import io.streamhelper.relay.core.stream.StreamRegistry;
import io.streamhelper.relay.core.secret.Secret;
import java.time.Clock;
import java.util.Optional;

/**
 * The HTTP side of the relay. Routes live in one place ({@link #routes}): the health check,
 * Prometheus metrics and the stats (JSON and the /stat page); the accounts/streams/destinations
 * API comes with issue 3.
 */
public final class ApiServer implements AutoCloseable {
    private final Javalin app;

    public ApiServer(StreamRegistry registry, Clock clock) {
        this(registry, clock, Optional.empty());
    }

    public ApiServer(StreamRegistry registry, Clock clock, Optional<Secret> metricsToken) {
        HealthController health = new HealthController(registry, clock);
        MetricsController metrics = new MetricsController(registry, metricsToken);
        StatsController stats = new StatsController(registry, clock);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.router.ignoreTrailingSlashes = true;
        });
        routes(app, health, metrics, stats);
    }

    /**
     * Every route. Without a bearer token: the health check, /metrics (its own token) and the
     * /stat page (it holds no data). Everything else needs the {@link Caller} that authentication sets.
     */
    private static void routes(Javalin app, HealthController health, MetricsController metrics, StatsController stats) {
        app.get("/api/v1/server/healthcheck", health::get);
        app.get("/metrics", metrics::get);
        app.get("/api/v1/stats", stats::json);
        app.get("/stat", stats::page);
    }

    public ApiServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** For in-process tests (JavalinTest) that start the app themselves. */
    public Javalin javalin() {
        return app;
    }

    @Override
    public void close() {
        app.stop();
    }
}
