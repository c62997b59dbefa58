package io.streamhelper.relay.api;

import io.streamhelper.relay.catalog.cluster.ClusterChanges;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestConfig;
import io.streamhelper.relay.catalog.account.AccountService;
import io.streamhelper.relay.catalog.account.LoginThrottle;
import io.streamhelper.relay.catalog.account.PasswordHasher;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.catalog.service.DestinationService;
import io.streamhelper.relay.catalog.service.EncryptionKeyService;
import io.streamhelper.relay.catalog.service.StreamService;
import io.streamhelper.relay.catalog.service.StreamSessionService;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * The real API over a real SQLite database in a temporary directory, served by Javalin on a free
 * port, with a raw HTTP client so tests can send exactly the bytes a careless or hostile client
 * would. No destination connects: the stream registry's connector refuses to be used, which
 * keeps these tests about HTTP, validation and ownership (relay-app tests the relay through it).
 */
final class ApiFixture implements AutoCloseable {
    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        /** The header's first value, or "" when absent. */
        String header(String name) {
            return raw.headers().firstValue(name).orElse("");
        }
    }

    static final class Settings {
        boolean signupOpen = false;
        AddressPolicy addresses = AddressPolicy.publicOnly();
        DestinationService.HostResolver resolver = InetAddress::getAllByName;
        Optional<Secret> metricsToken = Optional.empty();
        Clock clock = Clock.systemUTC();
        long maxBodyBytes = 64 * 1024;
        int maxPerStream = 20;
        boolean ready = true;
        /** The health check's database probe; null: the database's own. */
        java.util.function.BooleanSupplier databaseUp = null;
        ApiServer.RateLimits rateLimits = ApiServer.RateLimits.defaults();
        ClientAddressResolver clientAddresses = ClientAddressResolver.direct();
        /** The box stream keys are sealed with; null: a keyset generated in the data directory. */
        SecretBox secrets = null;
        /** The ingest ports the stream views name; plain RTMP on its default port unless a test says otherwise. */
        ApiServer.IngestPorts ingestPorts = ApiServer.IngestPorts.rtmpOnly(1935);
        /** The RTMPS certificate health and /metrics report; none: RTMPS off. */
        Optional<ApiServer.RtmpsCertificate> rtmpsCertificate = Optional.empty();
        /** This node's id (health, stats, the metrics label). */
        String nodeId = NODE;
        /** What the other nodes of the service publish; none: a single node. */
        OtherNodes others = OtherNodes.NONE;
        /** This node's cluster state (fenced, bus counters); none: a single node. */
        Optional<ApiServer.Cluster> cluster = Optional.empty();
    }

    /** The node id of a fixture whose test does not choose one. */
    static final String NODE = "node-a";

    final Database database;
    final SecretBox secretBox;
    final StreamRegistry registry;
    /** The streams' virtual time: a publisher's reconnect grace runs out only when a test moves it. */
    final ManualScheduler streamTime = new ManualScheduler();
    final ApiServer api;
    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    ApiFixture(Path dataDir, Settings s) {
        secretBox = s.secrets != null ? s.secrets : SecretBox.loadOrCreate(dataDir);
        database = Database.open(DatabaseSettings.sqlite(dataDir), secretBox);
        DatabaseCatalog catalog = new DatabaseCatalog(database.streams(), database.destinations(), database.streamSessions(),
                DatabaseCatalog.DEFAULT_SESSION_HISTORY, java.time.Clock.systemUTC());
        registry = new StreamRegistry(catalog, catalog, new DestinationConnector() {
            @Override
            public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
                throw new AssertionError("API tests never connect to destinations");
            }

            @Override
            public Timers timers(EventExecutor executor) {
                return virtualTimers(streamTime);
            }
        }, StreamRegistry.Settings.defaults().withListener(catalog)
                // The server's default grace (the engine's default is none): the tests drop publishers.
                .withPublisherGrace(Duration.ofSeconds(30)));
        AccountService accounts = new AccountService(database.users(), database.sessions(), database.audit(),
                new PasswordHasher(), LoginThrottle.defaults(s.clock), s.clock, Duration.ofHours(1), s.signupOpen);
        StreamService streams = new StreamService(database.streams(), database.audit(), registry, ClusterChanges.NONE, s.others);
        DestinationService destinations = new DestinationService(database.destinations(), streams,
                database.audit(), registry, s.addresses, s.resolver, s.maxPerStream, 100);
        api = new ApiServer(new ApiServer.Services(registry, s.clock, s.metricsToken, accounts, streams, destinations,
                s.databaseUp != null ? s.databaseUp : database::isReachable, Optional.of("relay.example"), s.ingestPorts, s.maxBodyBytes, s.rateLimits,
                s.clientAddresses, new EncryptionKeyService(secretBox, database.sealedRows(), database.users(), database.audit()),
                new StreamSessionService(streams, database.streamSessions()), s.rtmpsCertificate, s.nodeId, s.others, s.cluster));
        if (s.ready) {
            api.ready();
        }
    }

    /** The engine's timers on a test's virtual clock. */
    static Timers virtualTimers(ManualScheduler clock) {
        return Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);
    }

    ApiFixture(Path dataDir) {
        this(dataDir, new Settings());
    }

    /** With the defaults but sign-up open: each test registers the users it needs. */
    static ApiFixture openSignUp(Path dataDir) {
        Settings settings = new Settings();
        settings.signupOpen = true;
        return new ApiFixture(dataDir, settings);
    }

    /**
     * JavalinTest's default swallows the log of a passing test; relay-logscan must see every line
     * the API wrote, so logs stay on the console (and in Surefire's output file).
     */
    private static final TestConfig KEEP_LOGS = new TestConfig(true, false, new OkHttpClient());

    /** Runs the body against the API started by JavalinTest on a free port. */
    void test(ThrowingRunnable body) {
        JavalinTest.test(api.javalin(), KEEP_LOGS, (server, client) -> {
            port = server.port();
            body.run();
        });
    }

    /** The port the API listens on, inside {@link #test}. */
    int port() {
        return port;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    Response send(String method, String path, String body, String token, String... headerNamesAndValues) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headerNamesAndValues.length; i += 2) {
            request.header(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    Response get(String path, String token) throws Exception {
        return send("GET", path, null, token);
    }

    Response post(String path, String body, String token) throws Exception {
        return send("POST", path, body, token);
    }

    /** Registers (when sign-up allows) and logs in; returns the bearer token. */
    String userToken(String email) throws Exception {
        Response registered = post("/api/v1/auth/register", "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}", null);
        if (registered.status() != 201) {
            throw new AssertionError("register " + email + ": " + registered.status() + " " + registered.body());
        }
        return login(email, "correct horse battery");
    }

    String login(String email, String password) throws Exception {
        Response login = post("/api/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}", null);
        if (login.status() != 200) {
            throw new AssertionError("login " + email + ": " + login.status() + " " + login.body());
        }
        return TestKeys.issued(login.json().get("token").asText());
    }

    /** A stream made through the API: its id, its ingest key (registered with TestKeys) and the answer. */
    record CreatedStream(long id, String key, JsonNode json) {
    }

    /** Creates a stream for the token's user through the API. */
    CreatedStream createStream(String token, String name) throws Exception {
        Response created = post("/api/v1/streams", "{\"name\":\"" + name + "\"}", token);
        if (created.status() != 201) {
            throw new AssertionError("create stream: " + created.status() + " " + created.body());
        }
        JsonNode json = created.json();
        return new CreatedStream(json.get("id").asLong(), TestKeys.issued(json.get("key").asText()), json);
    }

    /** Creates a stream for the token's user through the API; returns its ingest key. */
    String streamKey(String token, String name) throws Exception {
        return createStream(token, name).key();
    }

    @Override
    public void close() {
        api.close();
        database.close();
    }
}
