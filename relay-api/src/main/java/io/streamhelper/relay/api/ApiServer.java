package io.streamhelper.relay.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.streamhelper.relay.catalog.account.AccountService;
import io.streamhelper.relay.catalog.account.AddressBlock;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.catalog.service.DestinationService;
import io.streamhelper.relay.catalog.service.EncryptionKeyService;
import io.streamhelper.relay.catalog.service.StreamService;
import io.streamhelper.relay.catalog.service.StreamSessionService;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.store.UserRecord;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the relay, Javalin style: routes in one place ({@link #routes}), authentication
 * in one {@code beforeMatched} ({@link #authenticate}), domain errors mapped to HTTP in one place
 * ({@link #errors}). Every error is JSON: {@code {"error": "...", "field": "..."}}, including
 * what Jetty refuses before Javalin sees a request ({@link JsonErrorHandler}). Request bodies are
 * bounded by {@link BodyLimit} however they are sent.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    /** What the API stands on, wired by hand in relay-app. */
    public record Services(StreamRegistry registry, Clock clock, Optional<Secret> metricsToken,
                           AccountService accounts, StreamService streams, DestinationService destinations,
                           BooleanSupplier databaseUp, Optional<String> publicHost, IngestPorts ingestPorts,
                           long maxBodyBytes, RateLimits rateLimits, ClientAddressResolver clientAddresses,
                           EncryptionKeyService encryptionKeys, StreamSessionService sessions,
                           Optional<RtmpsCertificate> rtmpsCertificate, String nodeId, OtherNodes others,
                           Optional<Cluster> cluster) {
        /** Without this node's cluster state (tests of the whole-service view). */
        public Services(StreamRegistry registry, Clock clock, Optional<Secret> metricsToken,
                        AccountService accounts, StreamService streams, DestinationService destinations,
                        BooleanSupplier databaseUp, Optional<String> publicHost, IngestPorts ingestPorts,
                        long maxBodyBytes, RateLimits rateLimits, ClientAddressResolver clientAddresses,
                        EncryptionKeyService encryptionKeys, StreamSessionService sessions,
                        Optional<RtmpsCertificate> rtmpsCertificate, String nodeId, OtherNodes others) {
            this(registry, clock, metricsToken, accounts, streams, destinations, databaseUp, publicHost, ingestPorts,
                    maxBodyBytes, rateLimits, clientAddresses, encryptionKeys, sessions, rtmpsCertificate,
                    nodeId, others, Optional.empty());
        }

        /** A single node: named after its host, nobody else to show. */
        public Services(StreamRegistry registry, Clock clock, Optional<Secret> metricsToken,
                        AccountService accounts, StreamService streams, DestinationService destinations,
                        BooleanSupplier databaseUp, Optional<String> publicHost, IngestPorts ingestPorts,
                        long maxBodyBytes, RateLimits rateLimits, ClientAddressResolver clientAddresses,
                        EncryptionKeyService encryptionKeys, StreamSessionService sessions,
                        Optional<RtmpsCertificate> rtmpsCertificate) {
            this(registry, clock, metricsToken, accounts, streams, destinations, databaseUp, publicHost, ingestPorts,
                    maxBodyBytes, rateLimits, clientAddresses, encryptionKeys, sessions, rtmpsCertificate,
                    hostNodeId(), OtherNodes.NONE, Optional.empty());
        }

        /** The host name when it is a valid node id (1-63 of [A-Za-z0-9._-]), else "local". */
        public static String hostNodeId() {
            try {
                String host = java.net.InetAddress.getLocalHost().getHostName();
                return host != null && host.matches("[A-Za-z0-9._-]{1,63}") ? host : "local";
            } catch (java.io.IOException | SecurityException unknown) {
                return "local";
            }
        }
    }

    /**
     * This node in a cluster (PostgreSQL), read at each health check and scrape; empty Optional in
     * {@link Services} on SQLite (one node, nothing to be fenced from).
     *
     * @param fenced  whether the node lost its heartbeat long enough to end its streams and refuse publishes
     * @param notices the bus's counters
     */
    public record Cluster(BooleanSupplier fenced, java.util.function.Supplier<NoticeCounts> notices) {
    }

    /** The cluster bus's counters since the start: notices sent, sends that failed, received, malformed, listener reconnects. */
    public record NoticeCounts(long sent, long sendFailures, long received, long malformed, long reconnects) {
    }

    /**
     * The certificate the RTMPS ingest offers now, for the health check and /metrics; empty
     * Optional in {@link Services} when RTMPS is off.
     *
     * @param notAfter   the current certificate's end of validity, read at each request (a renewal replaces it)
     * @param warnBefore under this much left the health check says EXPIRING
     */
    public record RtmpsCertificate(java.util.function.Supplier<java.time.Instant> notAfter, java.time.Duration warnBefore) {
    }

    /** The ingest ports streamers are told about: plain RTMP, RTMPS, or both (at least one). */
    public record IngestPorts(java.util.OptionalInt rtmp, java.util.OptionalInt rtmps) {
        public IngestPorts {
            if (rtmp.isEmpty() && rtmps.isEmpty()) {
                throw new IllegalArgumentException("an ingest needs at least one port");
            }
        }

        /** Plain RTMP only. */
        public static IngestPorts rtmpOnly(int port) {
            return new IngestPorts(java.util.OptionalInt.of(port), java.util.OptionalInt.empty());
        }
    }

    /**
     * API requests per second (and burst) allowed per client address and per signed-in user; past
     * them, 429 with Retry-After. The health check, /metrics and /stat are not counted.
     */
    public record RateLimits(double perAddressPerSecond, int perAddressBurst, double perUserPerSecond, int perUserBurst) {
        public static RateLimits defaults() {
            return new RateLimits(50, 200, 20, 200);
        }
    }

    private final Javalin app;
    private final HealthController health;
    private final AccountService accounts;
    private final RateLimiter perAddress;
    private final RateLimiter perUser;
    private final ClientAddressResolver clientAddresses;
    private final LocalStatus localStatus;
    private final String nodeId;

    public ApiServer(Services services) {
        this.accounts = services.accounts();
        this.clientAddresses = services.clientAddresses();
        RateLimits limits = services.rateLimits();
        this.perAddress = new RateLimiter(new RateLimiter.Limit(limits.perAddressPerSecond(), limits.perAddressBurst()));
        this.perUser = new RateLimiter(new RateLimiter.Limit(limits.perUserPerSecond(), limits.perUserBurst()));
        ServiceView service = new ServiceView(services.nodeId(), services.registry(), services.others());
        this.nodeId = services.nodeId();
        this.localStatus = new LocalStatus(services.nodeId(), services.registry(), services.clock());
        this.health = new HealthController(service, services.clock(), services.databaseUp(),
                services.rtmpsCertificate(), services.cluster());
        MetricsController metrics = new MetricsController(services.registry(), services.metricsToken(), services.rtmpsCertificate(),
                services.nodeId(), services.cluster());
        AccountController accountRoutes = new AccountController(services.accounts());
        StreamController streamRoutes = new StreamController(services.streams(), service, services.publicHost(), services.ingestPorts());
        DestinationController destinationRoutes = new DestinationController(services.destinations());
        EncryptionKeyController keyRoutes = new EncryptionKeyController(services.encryptionKeys());
        StreamSessionController sessionRoutes = new StreamSessionController(services.sessions(), services.registry());
        StatsController stats = new StatsController(service, services.clock(), services.streams()::currentNames);
        BodyLimit bodyLimit = new BodyLimit(services.maxBodyBytes());
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.router.ignoreTrailingSlashes = true;
            config.http.maxRequestSize = services.maxBodyBytes();
            // Every body is read through BodyLimit's counting stream, on every path.
            config.jetty.modifyServletContextHandler(context -> {
                context.addFilter(new FilterHolder(bodyLimit), "/*", EnumSet.of(DispatcherType.REQUEST));
                context.setMaxFormContentSize((int) Math.min(Integer.MAX_VALUE, services.maxBodyBytes()));
                context.setErrorHandler(new JsonErrorHandler());
            });
            // What Jetty refuses before Javalin sees a request (bad URI, 431, bad version) is JSON too.
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        });
        app.before(bodyLimit::checkDeclaredLength); // before routing: unknown paths and public ones too
        app.beforeMatched(this::authenticate);
        errors(app);
        routes(app, health, metrics, stats, accountRoutes, streamRoutes, destinationRoutes, keyRoutes, sessionRoutes);
        WebApp web = new WebApp();
        app.get("/", web::index, Access.PUBLIC); // the web app for streamers: no data, it calls the API
        app.get("/app/{file}", web::asset, Access.PUBLIC);
    }

    private static void routes(Javalin app, HealthController health, MetricsController metrics, StatsController stats,
            AccountController accounts, StreamController streams, DestinationController destinations,
            EncryptionKeyController keys, StreamSessionController sessions) {
        // Every route here is described in openapi.json (OpenApiCoverageTest fails otherwise).
        app.get("/api/v1/openapi.json", new OpenApiDocument()::get, Access.PUBLIC);
        app.get("/api/v1/server/healthcheck", health::get, Access.PUBLIC);
        app.get("/metrics", metrics::get, Access.PUBLIC); // its own bearer token, checked by the controller
        app.get("/stat", stats::page, Access.PUBLIC); // the page holds no data; it fetches /api/v1/stats with a token
        app.get("/api/v1/stats", stats::json, Access.USER);

        app.post("/api/v1/auth/register", accounts::register, Access.PUBLIC);
        app.get("/api/v1/auth/signup", accounts::signup, Access.PUBLIC);
        app.post("/api/v1/auth/login", accounts::login, Access.PUBLIC);
        app.get("/api/v1/auth/me", accounts::me, Access.USER);
        app.post("/api/v1/auth/logout", accounts::logout, Access.USER);
        app.post("/api/v1/auth/password", accounts::changePassword, Access.USER);
        app.get("/api/v1/users", accounts::listUsers, Access.USER);
        app.post("/api/v1/users", accounts::createUser, Access.USER);
        // Admin only, as /users: the service checks the caller's role.
        app.post("/api/v1/admin/encryption-key/rotate", keys::rotate, Access.USER);

        app.post("/api/v1/streams", streams::create, Access.USER);
        app.get("/api/v1/streams", streams::list, Access.USER);
        app.get("/api/v1/streams/{id}", streams::get, Access.USER);
        app.put("/api/v1/streams/{id}", streams::rename, Access.USER);
        app.delete("/api/v1/streams/{id}", streams::delete, Access.USER);
        app.post("/api/v1/streams/{id}/rotate-key", streams::rotateKey, Access.USER);
        app.get("/api/v1/streams/{id}/sessions", sessions::list, Access.USER);
        app.get("/api/v1/streams/{id}/sessions/{sessionId}", sessions::get, Access.USER);

        app.get("/api/v1/platforms", new PlatformController()::list, Access.USER);
        app.post("/api/v1/stream-destinations", destinations::create, Access.USER);
        app.get("/api/v1/stream-destinations", destinations::list, Access.USER);
        app.get("/api/v1/stream-destinations/stream/{streamId}", destinations::listByStream, Access.USER);
        app.get("/api/v1/stream-destinations/{id}", destinations::get, Access.USER);
        app.put("/api/v1/stream-destinations/{id}", destinations::update, Access.USER);
        app.delete("/api/v1/stream-destinations/{id}", destinations::delete, Access.USER);
    }

    /**
     * Every route but the public ones needs {@code Authorization: Bearer <token>} of a live session.
     * First the client address is resolved (behind trusted proxies, the one they forwarded for;
     * {@link ClientAddressResolver}) and kept on the request for everything after. API routes are
     * rate-limited per client address (an IPv6 client by its /64, {@link AddressBlock}; before the
     * token is even looked at, so guessing tokens or passwords is limited too) and per user.
     */
    private void authenticate(Context ctx) {
        clientAddresses.resolve(ctx);
        if (ctx.path().startsWith("/api/") && !ctx.path().equals("/api/v1/server/healthcheck")) {
            throttle(perAddress, "address:" + AddressBlock.of(ClientAddressResolver.of(ctx)));
        }
        if (ctx.routeRoles().contains(Access.PUBLIC)) {
            return;
        }
        UserRecord user = accounts.authenticate(bearerToken(ctx))
                .orElseThrow(() -> new ServiceException.Unauthenticated("a valid bearer token is required"));
        throttle(perUser, "user:" + user.id());
        Caller.set(ctx, new Caller(user.id(), user.role()));
    }

    /** The token of {@code Authorization: Bearer <token>}, or null. */
    static String bearerToken(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }

    private static void throttle(RateLimiter limiter, String key) {
        limiter.acquire(key).ifPresent(wait -> {
            throw new ServiceException.Throttled("too many requests", wait);
        });
    }

    private static void errors(Javalin app) {
        app.exception(ServiceException.InvalidField.class, (e, ctx) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.getMessage());
            body.put("field", e.field());
            ctx.status(400).json(body);
        });
        app.exception(ServiceException.NotFound.class, (e, ctx) -> ctx.status(404).json(Views.error(e.getMessage())));
        // A row deleted between the ownership check and the write (two requests racing): it is gone.
        app.exception(java.util.NoSuchElementException.class, (e, ctx) -> ctx.status(404).json(Views.error("not found")));
        app.exception(ServiceException.Forbidden.class, (e, ctx) -> ctx.status(403).json(Views.error(e.getMessage())));
        app.exception(ServiceException.Conflict.class, (e, ctx) -> ctx.status(409).json(Views.error(e.getMessage())));
        app.exception(ServiceException.Unauthenticated.class, (e, ctx) -> ctx.status(401)
                .header("WWW-Authenticate", "Bearer").json(Views.error(e.getMessage())));
        app.exception(ServiceException.Throttled.class, (e, ctx) -> {
            // Whole seconds, rounded up: waiting the number given is always enough.
            long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.getMessage() + ", try again in " + seconds + " s");
            body.put("retryAfterSeconds", seconds);
            ctx.status(429).header("Retry-After", String.valueOf(seconds)).json(body);
        });
        // Javalin's own refusals (404, 405, ...) and BodyLimit's (413 too large, 400 unreadable):
        // keep their status, answer in JSON. Jetty's own are JsonErrorHandler's.
        app.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus()).json(Views.error(
                e.getStatus() == 413 ? "request body is too large" : e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            if (DatabaseGone.causes(e)) {
                // Not a bug to log as one: the health check says the same; the client tries again.
                log.warn("event=api_database_unreachable method={} path={} client={}", ctx.method(), ctx.matchedPath(),
                        ClientAddressResolver.of(ctx));
                ctx.status(503).header("Retry-After", "5").json(Views.error("database unreachable, try again"));
                return;
            }
            log.error("event=api_error method={} path={} client={} error={}", ctx.method(), ctx.matchedPath(),
                    ClientAddressResolver.of(ctx), e.toString());
            ctx.status(500).json(Views.error("internal error"));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                ctx.json(Views.error("no such route"));
            }
        });
    }

    /**
     * This node's streams on air, as compact JSON for its heartbeat (the other nodes list them from
     * it): ids, states, each destination's status and the stats entry; bounded, no key, no URL
     * ({@link LocalStatus}). Never throws: the heartbeat must go on whatever a stream is doing.
     */
    public String localStatusJson() {
        try {
            return localStatus.json();
        } catch (RuntimeException e) {
            log.warn("event=local_status_failed error={}", e.toString());
            // An empty list, not a stale one: the others then show none of this node's streams for a moment.
            com.fasterxml.jackson.databind.node.ObjectNode empty = RemoteReport.JSON.createObjectNode();
            empty.put("node", nodeId);
            empty.putArray("streams");
            empty.put("omittedStreams", 0);
            return empty.toString();
        }
    }

    /** Health is 503 while the server is starting or stopping; the app says when it is ready. */
    public void ready() {
        health.ready();
    }

    public void stopping() {
        health.stopping();
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
        health.close();
    }
}
