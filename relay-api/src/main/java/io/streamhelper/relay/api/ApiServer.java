package io.streamhelper.relay.api;

import io.javalin.Javalin;
import io.streamhelper.relay.core.stream.StreamRegistry;
import io.streamhelper.relay.core.secret.Secret;
import java.time.Clock;
import java.util.Optional;

/**
 * The HTTP side of the relay. Routes live in one place ({@link #routes}); today only the health
 * check and Prometheus metrics; the accounts/streams/destinations API comes with issue 3.
 */
public final class ApiServer implements AutoCloseable {
    private final Javalin app;

    public ApiServer(StreamRegistry registry, Clock clock) {
        this(registry, clock, Optional.empty());
    }

    public ApiServer(StreamRegistry registry, Clock clock, Optional<Secret> metricsToken) {
        HealthController health = new HealthController(registry, clock);
        MetricsController metrics = new MetricsController(registry, metricsToken);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.router.ignoreTrailingSlashes = true;
        });
        routes(app, health, metrics);
    }

    private static void routes(Javalin app, HealthController health, MetricsController metrics) {
        app.get("/api/v1/server/healthcheck", health::get);
        app.get("/metrics", metrics::get);
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
