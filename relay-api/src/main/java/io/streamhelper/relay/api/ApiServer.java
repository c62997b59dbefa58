package io.streamhelper.relay.api;

import io.javalin.Javalin;
import io.streamhelper.relay.core.stream.StreamRegistry;
import java.time.Clock;

/**
 * The HTTP side of the relay. Routes live in one place ({@link #routes}); today only the health
 * check, the accounts/streams/destinations API comes with issue 3.
 */
public final class ApiServer implements AutoCloseable {
    private final Javalin app;

    public ApiServer(StreamRegistry registry, Clock clock) {
        HealthController health = new HealthController(registry, clock);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.router.ignoreTrailingSlashes = true;
        });
        routes(app, health);
    }

    private static void routes(Javalin app, HealthController health) {
        app.get("/api/v1/server/healthcheck", health::get);
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
