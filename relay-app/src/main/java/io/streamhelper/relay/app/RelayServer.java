package io.streamhelper.relay.app;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.api.ApiServer;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamOwnership;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.cluster.ClusterNode;
import io.streamhelper.relay.cluster.ClusterOwnership;
import io.streamhelper.relay.rtmp.client.ClientSettings;
import io.streamhelper.relay.rtmp.client.RtmpDestinationConnector;
import io.streamhelper.relay.rtmp.ingest.IngestServer;
import io.streamhelper.relay.rtmp.ingest.IngestSettings;
import io.streamhelper.relay.rtmp.ingest.tls.IngestTls;
import io.streamhelper.relay.engine.destination.Timers;
import java.util.Optional;
import java.util.OptionalInt;
import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.catalog.account.AccountService;
import io.streamhelper.relay.catalog.account.LoginThrottle;
import io.streamhelper.relay.catalog.account.PasswordHasher;
import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.catalog.service.DestinationService;
import io.streamhelper.relay.catalog.service.StreamService;
import io.streamhelper.relay.catalog.service.StreamSessionService;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.service.EncryptionKeyService;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.catalog.store.StoreException;
import io.streamhelper.relay.app.backup.DataDirLock;
import io.streamhelper.relay.catalog.cluster.ClusterChanges;
import io.streamhelper.relay.cluster.ClusterChangeApplier;
import io.streamhelper.relay.cluster.ClusterChangeSender;
import io.streamhelper.relay.cluster.PgClusterBus;
import io.streamhelper.relay.cluster.ClusterView;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All the wiring, by hand and in one place: database, event loops, registry, ingest, destination client, API. */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    private static final int CATALOG_READERS = 4;
    /** Publishes waiting for a reader beyond this are refused as "server busy" rather than queued without bound. */
    private static final int CATALOG_QUEUE = 1_000;
    /** How long close() waits for the RTMP event loops once every connection was asked to close. */
    private static final Duration LOOPS_STOP_LIMIT = Duration.ofSeconds(5);

    private final Transport transport;
    private volatile boolean loopsStopped = true;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup ingestLoops;
    private final EventLoopGroup clientLoops;
    /** Publishers' keys and destinations are read from the database here, never on an event loop. */
    private final ThreadPoolExecutor catalogReads = new ThreadPoolExecutor(CATALOG_READERS, CATALOG_READERS,
            30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(CATALOG_QUEUE), new DefaultThreadFactory("catalog-read", true));
    private final StreamRegistry registry;
    private final IngestServer ingest;
    /** The RTMPS ingest's certificate, re-read when renewed on disk; empty when RTMPS is off. */
    private final Optional<IngestTls> tls;
    private final ApiServer api;
    private final Database database;
    private final DatabaseCatalog databaseCatalog;
    /** On PostgreSQL: other nodes' changes to streams held here, and ours to theirs. Empty on SQLite. */
    private final Optional<PgClusterBus> bus;
    private final String nodeId;
    /** Held from before the database opens until after it closes: restore refuses while it is. */
    private final DataDirLock dataDirLock;
    private final DataDirectory dataDirectory;
    private final StartupBanner banner;
    /** This node's leases and membership when the database is PostgreSQL (several nodes); null on SQLite. */
    private final ClusterOwnership clusterOwnership;
    private final ClusterNode clusterNode;
    /**
     * What the heartbeat publishes is the API's view of this node's streams; the heartbeat starts
     * before the API exists (it must be alive before the ingest listens), so it reads it here.
     */
    private volatile ApiServer statusSource;

    /** Each thing opened is added to {@code opened} at once: a failure further on closes it (see {@link #start}). */
    private RelayServer(RelayConfig config, StaticStreamCatalog fileCatalog, DataDirLock dataDirLock, OpenedResources opened)
            throws InterruptedException {
        // First, so that a certificate that will not load, or a transport this machine cannot
        // give, stops the start before anything is open.
        tls = config.tlsFiles().map(IngestTls::load);
        tls.ifPresent(loaded -> opened.add("RTMPS certificate watch", loaded::close));
        transport = Transport.select(config.transport());
        this.dataDirLock = dataDirLock;
        log.info("RTMP event loops on {}", transport == Transport.IO_URING ? "io_uring" : "Java NIO");
        // Looked at before opening, which creates what is missing: a start from another folder
        // silently gets a new, empty database unless the log and stdout say so.
        dataDirectory = DataDirectory.inspect(config.dataDir(), config.database(),
                config.encryptionKey().isEmpty() && config.keysetFile().isEmpty());
        log.info("event=data_dir path={}", dataDirectory.path());
        log.info("event=database kind={} location={}", config.database().isSqlite() ? "sqlite" : "postgresql",
                config.database().location());
        // Before any thread starts: a key that does not open the database (the key check) stops
        // the start here, with nothing left running.
        SecretBox secrets = secretBox(config);
        database = openDatabase(config.database(), secrets);
        opened.add("database", database::close);
        nodeId = config.nodeId();
        bus = config.database().isSqlite() ? Optional.empty() : Optional.of(PgClusterBus.start(database, config.database()));
        bus.ifPresent(b -> opened.add("cluster bus", b::close));
        if (dataDirectory.newDatabase()) {
            log.info("event=database_created path={} new_keyset={} note=\"{}\"", dataDirectory.database(),
                    dataDirectory.newKeyset(), dataDirectory.createdText());
        }
        acceptors = transport.newGroup(1, new DefaultThreadFactory("rtmp-accept"));
        ingestLoops = transport.newGroup(0, new DefaultThreadFactory("rtmp-ingest"));
        clientLoops = transport.newGroup(0, new DefaultThreadFactory("rtmp-out"));
        // Non-daemon threads: left running, they would keep a JVM whose start failed alive.
        opened.add("RTMP event loops", this::stopLoopsNow);
        opened.add("catalog readers", catalogReads::shutdownNow);
        databaseCatalog = new DatabaseCatalog(database.streams(), database.destinations(), database.streamSessions(),
                config.sessionHistory(), Clock.systemUTC());
        opened.add("catalog writer", databaseCatalog::close);
        // On a shared PostgreSQL the streams other alive nodes relay are theirs: not this start's to end.
        databaseCatalog.recoverAfterRestart(config.database().isSqlite() ? java.util.Set.of()
                : database.cluster().heldByOthers(nodeId, ClusterOwnership.EXPIRY));
        CombinedCatalog catalog = new CombinedCatalog(fileCatalog, databaseCatalog);
        // Several nodes share a PostgreSQL database: a stream opens on the node holding its lease.
        clusterOwnership = config.database().isSqlite() ? null
                : ClusterOwnership.create(database.cluster(), bus.get(), nodeId);
        if (clusterOwnership != null) {
            opened.add("cluster leases", clusterOwnership::close);
        }

        AddressPolicy addresses = config.allowPrivateDestinations() ? AddressPolicy.allowingPrivate() : AddressPolicy.publicOnly();
        ClientSettings clientSettings = ClientSettings.defaults()
                .withTrustedCaFile(config.trustedCaFile().orElse(null))
                .withAddressPolicy(addresses);
        RtmpDestinationConnector connector = new RtmpDestinationConnector(clientLoops, clientSettings);
        catalogReads.allowCoreThreadTimeOut(true);
        registry = new StreamRegistry(catalog, catalog, connector, StreamRegistry.Settings.defaults()
                .withMaxLiveStreams(config.maxPublishers())
                .withCatalogReads(catalogReads)
                .withAudioHold(config.audioHold(transport))
                .withListener(catalog)
                .withPublisherGrace(config.publisherGrace())
                .withTakeoverAfter(config.publisherTakeover())
                .withOwnership(clusterOwnership == null ? StreamOwnership.LOCAL : clusterOwnership));
        bus.ifPresent(b -> b.listen(new ClusterChangeApplier(registry, nodeId, id -> database.streams().findById(id).isPresent())));
        ClusterChanges changes = bus.<ClusterChanges>map(b -> new ClusterChangeSender(b, nodeId)).orElse(ClusterChanges.NONE);
        // Before the ingest listens: stale leases of this node id go, and it is alive for the others.
        clusterNode = clusterOwnership == null ? null
                : ClusterNode.create(database.cluster(), clusterOwnership, bus.get(), ClusterNode.Streams.of(registry), this::localStatus);
        if (clusterNode != null) {
            // Before start(): a start that throws half-way still has its threads stopped and its row removed.
            opened.add("cluster membership", clusterNode::close);
            clusterNode.start();
            log.info("event=cluster_node node={}", nodeId);
        }
        IngestSettings ingestSettings = IngestSettings.defaults(config.rtmpPort())
                .withBindAddress(config.bindAddress())
                .withIdleTimeout(config.publishIdleTimeout())
                .withChunkLimits(config.chunkLimits())
                .withConnectionLimits(config.connectionLimits())
                .withMessageBuffers(config.messageBuffers())
                .withPublishDeadline(config.publishDeadline());
        IngestServer ingestServer = new IngestServer(ingestSettings, registry, acceptors, ingestLoops);
        if (tls.isPresent()) {
            // The poll only stats two files every 10 s; it shares the accept loop with the session purge.
            tls.get().pollEvery(Timers.on(acceptors.next()), IngestTls.DEFAULT_POLL_INTERVAL)
                    .checkExpiryDaily(Timers.on(acceptors.next()));
            ingestServer.withTls(config.rtmpsPort(), tls.get());
        }
        if (!config.rtmpEnabled()) {
            ingestServer.withoutPlainRtmp();
        }
        ingest = ingestServer.start();
        opened.add("RTMP listeners", () -> {
            ingest.close();
            ingest.closeConnections();
        });

        Clock clock = Clock.systemUTC();
        AccountService accounts = new AccountService(database.users(), database.sessions(), database.audit(),
                new PasswordHasher(), LoginThrottle.defaults(clock), clock, config.tokenLifetime(), config.allowSignup());
        // What the other nodes publish in their heartbeats: how this node's API answers for the whole service.
        OtherNodes others = config.database().isSqlite() ? OtherNodes.NONE
                : new ClusterView(database.cluster(), nodeId, clock);
        StreamService streams = new StreamService(database.streams(), database.audit(), registry, changes, others);
        DestinationService destinations = new DestinationService(database.destinations(), streams,
                database.audit(), registry, addresses, InetAddress::getAllByName,
                config.maxDestinationsPerStream(), config.maxDestinationsPerUser(), changes);
        ApiServer created = new ApiServer(new ApiServer.Services(registry, clock, config.metricsToken(), accounts, streams, destinations,
                database::isReachable, config.publicHost(), ingestPorts(), config.maxBodyBytes(), config.rateLimits(),
                config.clientAddresses(),
                new EncryptionKeyService(secrets, database.sealedRows(), database.users(), database.audit()),
                new StreamSessionService(streams, database.streamSessions()),
                tls.map(t -> new ApiServer.RtmpsCertificate(() -> t.certificate().getNotAfter().toInstant(), IngestTls.EXPIRY_WARNING)),
                nodeId, others, clusterHealth()));
        opened.add("HTTP API", created::close);
        api = startApi(created, config);
        statusSource = api;
        acceptors.scheduleAtFixedRate(accounts::purgeExpiredSessions, 1, 1, TimeUnit.HOURS);
        api.ready();
        banner = new StartupBanner(StartupBanner.host(config.publicHost(), config.bindAddress()),
                ingest.plainRtmp() ? OptionalInt.of(ingest.port()) : OptionalInt.empty(), ingest.tlsPort(), api.port(), database.streams().count(), fileCatalog.entries().size(), dataDirectory);
        log.info("{}", banner.logLine());
    }

    /** Javalin's own message names the port only; this one names the setting to change as well. */
    private static ApiServer startApi(ApiServer api, RelayConfig config) {
        try {
            return api.start(config.bindAddress(), config.httpPort());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the HTTP port " + config.bindAddress() + ":" + config.httpPort()
                    + " (RELAY_HTTP_PORT): " + e.getMessage(), e);
        }
    }

    /** A failed start's event loops: nothing was ever relayed on them, so no quiet period; waited for, bounded. */
    private void stopLoopsNow() {
        List<Future<?>> stopping = List.of(
                ingestLoops.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS),
                clientLoops.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS),
                acceptors.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS));
        long deadline = System.nanoTime() + LOOPS_STOP_LIMIT.toNanos();
        for (Future<?> loops : stopping) {
            loops.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * ENCRYPTION_KEY (with ENCRYPTION_KEY_PREVIOUS, which only opens), else a Tink keyset file,
     * else a keyset generated once into the data directory.
     */
    private static SecretBox secretBox(RelayConfig config) {
        if (config.encryptionKey().isPresent()) {
            return SecretBox.fromHexKeys(config.encryptionKey().get().reveal(),
                    config.encryptionKeyPrevious().map(Secret::reveal));
        }
        if (config.keysetFile().isPresent()) {
            return SecretBox.fromKeysetFile(config.keysetFile().get());
        }
        return SecretBox.loadOrCreate(config.dataDir());
    }

    /** An unreachable PostgreSQL stops the start with a message naming the setting to fix (never its password). */
    private static Database openDatabase(DatabaseSettings settings, SecretBox secrets) {
        try {
            return Database.open(settings, secrets);
        } catch (StoreException e) {
            if (settings.isSqlite()) {
                throw e;
            }
            throw new IllegalStateException("RELAY_DATABASE_URL: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses (IllegalStateException) when another server, or a restore, holds the data directory.
     * A start that fails part-way closes, last first, everything it had opened: the lock included,
     * so that a fixed setting may try again at once, in this JVM or another.
     */
    public static RelayServer start(RelayConfig config, StaticStreamCatalog catalog) throws InterruptedException {
        DataDirLock lock = DataDirLock.acquire(config.dataDir());
        OpenedResources opened = new OpenedResources();
        opened.add("data directory lock", lock::close);
        try {
            return new RelayServer(config, catalog, lock, opened);
        } catch (RuntimeException | InterruptedException | Error e) {
            opened.closeAll(e);
            throw e;
        }
    }

    /** This node's live streams as the others read them; empty until the API is up. */
    private String localStatus() {
        ApiServer source = statusSource;
        return source == null ? "{\"node\":\"" + nodeId + "\",\"streams\":[]}" : source.localStatusJson();
    }

    /** What the API offers streamers: the RTMPS address first when RTMPS is on (the safer one). */
    private ApiServer.IngestPorts ingestPorts() {
        return new ApiServer.IngestPorts(ingest.plainRtmp() ? OptionalInt.of(ingest.port()) : OptionalInt.empty(),
                ingest.tlsPort());
    }

    /** The plain RTMP port; with RELAY_RTMP_ENABLED=false there is none and this throws. */
    public int rtmpPort() {
        return ingest.port();
    }

    /** Whether plain RTMP listens (RELAY_RTMP_ENABLED). */
    public boolean rtmpEnabled() {
        return ingest.plainRtmp();
    }

    /** The RTMPS port, when a certificate and key are configured. */
    public OptionalInt rtmpsPort() {
        return ingest.tlsPort();
    }

    /** The certificate new RTMPS connections are offered now, when RTMPS is on. */
    public Optional<java.security.cert.X509Certificate> rtmpsCertificate() {
        return tls.map(IngestTls::certificate);
    }

    public int httpPort() {
        return api.port();
    }

    public int openIngestConnections() {
        return ingest.openConnections();
    }

    /** Bytes held right now in RTMP messages still being assembled, over every ingest connection. */
    public long ingestBufferedBytes() {
        return ingest.bufferedBytes();
    }

    /** What {@link Main} prints once the server is up (and the server logged as {@code event=relay_started}). */
    StartupBanner banner() {
        return banner;
    }

    public Database database() {
        return database;
    }

    /** After {@link #close()}: whether every RTMP event loop stopped, every connection with it. */
    public boolean stoppedCleanly() {
        return loopsStopped;
    }

    /** The sockets under the RTMP event loops, as chosen at start from {@code RELAY_TRANSPORT}. */
    public Transport transport() {
        return transport;
    }

    public StreamRegistry registry() {
        return registry;
    }

    /** This node's cluster state for the health check and /metrics; none on SQLite. */
    private Optional<ApiServer.Cluster> clusterHealth() {
        if (clusterNode == null || bus.isEmpty()) {
            return Optional.empty();
        }
        PgClusterBus b = bus.get();
        return Optional.of(new ApiServer.Cluster(clusterNode::isFenced,
                () -> new ApiServer.NoticeCounts(b.sent(), b.sendFailures(), b.received(), b.malformed(), b.reconnects())));
    }

    /** The bus between nodes (PostgreSQL only): its counters are for /metrics. */
    public Optional<PgClusterBus> clusterBus() {
        return bus;
    }

    /** This node's id on the bus (its own notices are the ones signed with it). */
    public String nodeId() {
        return nodeId;
    }

    /**
     * Stops taking publishers, ends every live stream (each destination gets FCUnpublish and
     * deleteStream), then closes listeners and event loops.
     */
    @Override
    public void close() {
        log.info("event=shutdown phase=stop_accepting");
        api.stopping();
        registry.stopAccepting();
        tls.ifPresent(IngestTls::close);
        ingest.close();
        api.close();

        log.info("event=shutdown phase=end_streams live_streams={}", registry.liveStreams().size());
        List<DestinationRelay> ending = new ArrayList<>();
        for (LiveStream stream : registry.liveStreams()) {
            ending.addAll(registry.relays(stream));
            registry.endPublish(stream);
        }
        // Each destination gets FCUnpublish and deleteStream before its socket closes; give them
        // up to 3 s to be written and closed before the event loops go.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (ending.stream().anyMatch(DestinationRelay::hasOpenLink) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }

        // After the streams ended (each gave its lease back as its destinations closed): the
        // rest of this node's leases and its row go, so others need not wait out the expiry.
        if (clusterNode != null) {
            clusterNode.close();
            clusterOwnership.close();
        }

        log.info("event=shutdown phase=close_connections");
        ingest.closeConnections();
        List<Future<?>> stopping = List.of(
                ingestLoops.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS),
                clientLoops.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS),
                acceptors.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS));
        // Every connection is closed by now, so the loops stop within their 2 s. Should one not
        // (a transport that waits on the kernel for ever), the server still stops: what it left
        // open goes with the process, and the log and stoppedCleanly() say so.
        long loopsDeadline = System.nanoTime() + LOOPS_STOP_LIMIT.toNanos();
        for (Future<?> loops : stopping) {
            loopsStopped &= loops.awaitUninterruptibly(Math.max(0, loopsDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        if (!loopsStopped) {
            log.error("event=shutdown_incomplete reason=\"an RTMP event loop did not stop within {} s\"", LOOPS_STOP_LIMIT.toSeconds());
        }

        log.info("event=shutdown phase=close_database");
        // Before the database: its thread reads through the pool while it applies a notice.
        bus.ifPresent(PgClusterBus::close);
        catalogReads.shutdownNow();
        databaseCatalog.close();
        database.close();
        dataDirLock.close();
        log.info("event=relay_stopped");
    }
}
