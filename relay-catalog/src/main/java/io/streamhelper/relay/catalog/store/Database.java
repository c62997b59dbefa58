package io.streamhelper.relay.catalog.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.jdbi.JdbiClusterStore;
import io.streamhelper.relay.catalog.store.jdbi.JdbiKeyCheck;
import io.streamhelper.relay.catalog.store.jdbi.JdbiSealedRows;
import io.streamhelper.relay.catalog.store.jdbi.JdbiStores;
import java.time.Clock;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The relay's database: migrated at start-up, pooled, and split into one store per concern.
 * Thread-safe; open one per process and close it on shutdown.
 */
public final class Database implements AutoCloseable {
    /**
     * The last migration in db/migration, the schema this relay writes. A restore refuses a
     * database migrated past it: Flyway would start on it without complaint (it ignores "future"
     * migrations by default), on tables this relay does not know. DatabaseSchemaVersionTest keeps
     * it equal to the newest V*.sql.
     */
    public static final String SCHEMA_VERSION = "6";

    private static final int SQLITE_BUSY_TIMEOUT_MS = 5_000;
    private static final long POOL_CHECKOUT_TIMEOUT_MS = 5_000;
    private static final int REACHABLE_TIMEOUT_SECONDS = 2;
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final JdbiStores stores;
    private final SealedRows sealedRows;
    private final ClusterStore cluster;

    private Database(HikariDataSource dataSource, Jdbi jdbi, JdbiStores stores, SealedRows sealedRows, ClusterStore cluster) {
        this.dataSource = dataSource;
        this.jdbi = jdbi;
        this.stores = stores;
        this.sealedRows = sealedRows;
        this.cluster = cluster;
    }

    public static Database open(DatabaseSettings settings, SecretBox secrets) {
        return open(settings, secrets, Clock.systemUTC());
    }

    /**
     * As {@link #open(DatabaseSettings, SecretBox)}, with the clock that stamps created/updated times.
     *
     * @throws KeyMismatchException if {@code secrets} does not open the database's key check
     */
    public static Database open(DatabaseSettings settings, SecretBox secrets, Clock clock) {
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(clock, "clock");
        Dialect dialect = Dialect.of(settings.jdbcUrl());
        HikariDataSource dataSource = connect(settings, dialect);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .placeholders(dialect.migrationPlaceholders())
                    .load()
                    .migrate();
            Jdbi jdbi = Jdbi.create(dataSource);
            // Jdbi's default exception messages list every bound argument: password hashes,
            // key hashes and ciphertexts would end up in logs.
            jdbi.getConfig(StatementExceptions.class)
                    .setMessageRendering(StatementExceptions.MessageRendering.NONE);
            // Before anything reads a key: the wrong key stops the start here, with a clear message.
            JdbiKeyCheck.verifyOrCreate(jdbi, secrets);
            ClusterStore cluster = dialect == Dialect.POSTGRESQL ? new JdbiClusterStore(jdbi) : JdbiClusterStore.unsupported();
            return new Database(dataSource, jdbi, new JdbiStores(jdbi, secrets, clock), new JdbiSealedRows(jdbi, secrets),
                    cluster);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** The pool, with its first connection made: an unreachable server fails here, saying where it is. */
    private static HikariDataSource connect(DatabaseSettings settings, Dialect dialect) {
        try {
            return new HikariDataSource(poolConfig(settings, dialect));
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // The driver's own words ("Connection to 127.0.0.1:5432 refused", "password
            // authentication failed for user ..."): they name no password.
            throw new StoreException("cannot connect to the database at " + settings.location() + ": " + cause.getMessage(), e);
        }
    }

    private static HikariConfig poolConfig(DatabaseSettings settings, Dialect dialect) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("relay-db");
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setConnectionTimeout(POOL_CHECKOUT_TIMEOUT_MS);
        if (dialect == Dialect.SQLITE) {
            config.setDataSource(sqliteDataSource(settings.jdbcUrl()));
        } else {
            config.setJdbcUrl(settings.jdbcUrl());
            config.setUsername(settings.username());
            config.setPassword(settings.password());
            // Without this the driver puts the server's DETAIL into exception messages, which
            // quotes the values of a violated constraint: a stream key's hash would reach the logs.
            config.addDataSourceProperty("logServerErrorDetail", "false");
            // An address that drops packets fails the start within seconds, not the driver's 10 s + retries.
            config.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        }
        return config;
    }

    private static SQLiteDataSource sqliteDataSource(String jdbcUrl) {
        SQLiteConfig config = new SQLiteConfig();
        // WAL lets the API read while the relay writes; the busy timeout makes a second writer
        // wait for the lock instead of failing with SQLITE_BUSY.
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        // Transactions take the write lock when they begin. A deferred transaction that read
        // first cannot wait for the lock later (SQLITE_BUSY_SNAPSHOT) and would just fail.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(jdbcUrl);
        return dataSource;
    }

    public UserStore users() {
        return stores.users();
    }

    public SessionStore sessions() {
        return stores.sessions();
    }

    public StreamStore streams() {
        return stores.streams();
    }

    public DestinationStore destinations() {
        return stores.destinations();
    }

    public AuditLog audit() {
        return stores.audit();
    }

    /** Every sealed value, for a key rotation. */
    public SealedRows sealedRows() {
        return sealedRows;
    }

    /** Stream session history (not {@link #sessions()}: those are logins). */
    public StreamSessionStore streamSessions() {
        return stores.streamSessions();
    }

    /**
     * Node heartbeats and stream leases, for several nodes on one PostgreSQL database. On SQLite
     * (a single node) every method throws {@link UnsupportedOperationException}: nothing calls it.
     */
    public ClusterStore cluster() {
        return cluster;
    }

    /** For the health check: a {@code SELECT 1} that answers within seconds; never throws. */
    public boolean isReachable() {
        try {
            Integer one = jdbi.withHandle(handle -> handle.createQuery("SELECT 1")
                    .setQueryTimeout(REACHABLE_TIMEOUT_SECONDS)
                    .mapTo(Integer.class)
                    .one());
            return one != null && one == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * PostgreSQL's NOTIFY on {@code channel} through the pool (relay-cluster's bus between nodes).
     * One statement in auto-commit: the notice is delivered now, to every session listening on
     * the channel. PostgreSQL only (SQLite has no pg_notify: it fails like any broken statement).
     *
     * @throws StoreException if it could not be sent (the message names neither channel payload nor URL)
     */
    public void notifyChannel(String channel, String payload) {
        try {
            jdbi.useHandle(handle -> handle.createQuery("SELECT 1 FROM pg_notify(:channel, :payload)")
                    .bind("channel", channel)
                    .bind("payload", payload)
                    .setQueryTimeout(REACHABLE_TIMEOUT_SECONDS)
                    .mapTo(Integer.class)
                    .one());
        } catch (RuntimeException e) {
            throw new StoreException("cannot send a notice through the database: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
