package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus on PostgreSQL: {@code NOTIFY relay_cluster} through the database's pool to send, one
 * dedicated connection per node that {@code LISTEN}s, read by one thread ({@code cluster-bus})
 * that hands each notice, in the order the database delivered them, to every listener in turn.
 *
 * <p>A notice sent while the listening connection is down is lost to this node, so when the
 * connection fails the thread waits (0.5 s doubling to 5 s, {@link ReconnectBackoff}), connects,
 * listens again and then calls every listener's {@link Listener#resynced()} before any further
 * notice: they re-read what they hold. A connection that went silent (a network that drops
 * packets, no reset) is found by a validity check after 10 s without a notice. A payload that is
 * not a notice is logged (its length, not its text) and skipped; a listener that throws is logged
 * and the others still hear the notice: nothing a peer sends stops the thread.
 *
 * <p>Its waits and the silence clock are injected ({@link Waiter}, {@code nanoTime}) so tests move
 * them in virtual time; only the socket's own read timeout (a poll of 250 ms, which bounds how
 * fast {@link #close()} stops the thread) is real.
 */
public final class PgClusterBus implements ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(PgClusterBus.class);
    public static final String CHANNEL = "relay_cluster";
    /** How long one read waits for a notice; close() is noticed at the latest after this. */
    static final int POLL_MILLIS = 250;
    /** Without a notice this long, the connection is asked whether it still works. */
    static final Duration CHECK_AFTER_SILENCE = Duration.ofSeconds(10);
    private static final int VALID_TIMEOUT_SECONDS = 2;
    private static final int CONNECT_TIMEOUT_SECONDS = 5;
    private static final long CLOSE_WAIT_MILLIS = 900;

    /** Sends one NOTIFY (the database's pool: {@link Database#notifyChannel}). Throws when it could not. */
    interface Sender {
        void send(String channel, String payload);
    }

    /** Opens a new connection for listening. */
    interface Connector {
        Connection open() throws SQLException;
    }

    /** Waits before an attempt to listen again; interrupted by close(). */
    interface Waiter {
        void await(Duration delay) throws InterruptedException;
    }

    private final Sender sender;
    private final Connector connector;
    private final Waiter waiter;
    private final LongSupplier nanoTime;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ReconnectBackoff backoff = new ReconnectBackoff();
    private final Thread thread;
    private final LongAdder sent = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private volatile boolean closed;
    /** Touched by the bus thread only, except by close() once that thread failed to stop in time. */
    private volatile Connection connection;
    private volatile int backendPid;
    /** The bus thread's: when the last notice (or check) showed the connection works. */
    private long lastHeardNanos;

    private PgClusterBus(Sender sender, Connector connector, Waiter waiter, LongSupplier nanoTime) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.waiter = Objects.requireNonNull(waiter, "waiter");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.thread = new Thread(this::run, "cluster-bus");
        this.thread.setDaemon(true);
    }

    /**
     * Listens on {@code database}'s server with its settings (url, user, password) and sends through
     * its pool. The first LISTEN is made before this returns, so a notice sent by anyone once it
     * returned is heard; a server that cannot be listened on fails the start here.
     *
     * @throws IllegalStateException if the listening connection cannot be made
     */
    public static PgClusterBus start(Database database, DatabaseSettings settings) {
        return start(database::notifyChannel, () -> listenConnection(settings), PgClusterBus::sleep, System::nanoTime);
    }

    static PgClusterBus start(Sender sender, Connector connector, Waiter waiter, LongSupplier nanoTime) {
        PgClusterBus bus = new PgClusterBus(sender, connector, waiter, nanoTime);
        try {
            bus.listen();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot LISTEN on the database for other nodes' changes: " + e.getMessage(), e);
        }
        bus.thread.start();
        return bus;
    }

    private static void sleep(Duration delay) throws InterruptedException {
        Thread.sleep(delay.toMillis());
    }

    /** Its own connection, outside the pool: it stays checked out for ever, reading notices. */
    static Connection listenConnection(DatabaseSettings settings) throws SQLException {
        Properties properties = new Properties();
        if (settings.username() != null) {
            properties.setProperty("user", settings.username());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        // As the pool's (Database): no constraint values in messages, a bounded connect.
        properties.setProperty("logServerErrorDetail", "false");
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        // What an operator sees in pg_stat_activity.
        properties.setProperty("ApplicationName", "relay-cluster-bus");
        return DriverManager.getConnection(settings.jdbcUrl(), properties);
    }

    @Override
    public void send(ClusterNotice notice) {
        String payload = NoticeJson.write(notice);
        if (payload.getBytes(StandardCharsets.UTF_8).length > NoticeJson.MAX_PAYLOAD_BYTES) {
            // Cannot happen with node ids of at most 63 characters; said rather than failing the caller.
            sendFailures.increment();
            log.warn("event=cluster_notice_unsent kind={} stream={} error=\"payload too long\"", notice.kind(), notice.streamId());
            return;
        }
        try {
            sender.send(CHANNEL, payload);
            sent.increment();
        } catch (RuntimeException e) {
            // The change it announces is stored: the owner finds it at its next resync or publish.
            sendFailures.increment();
            log.warn("event=cluster_notice_unsent kind={} stream={} error=\"{}\"", notice.kind(), notice.streamId(), e.getMessage());
        }
    }

    @Override
    public void listen(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Opens the connection and LISTENs; on the caller's thread (start) or the bus thread. */
    private void listen() throws SQLException {
        Connection opened = connector.open();
        try (Statement sql = opened.createStatement()) {
            sql.execute("LISTEN " + CHANNEL);
            try (ResultSet pid = sql.executeQuery("SELECT pg_backend_pid()")) {
                backendPid = pid.next() ? pid.getInt(1) : 0;
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        connection = opened;
        lastHeardNanos = nanoTime.getAsLong();
        backoff.reset();
        log.info("event=cluster_bus_listening channel={} backend_pid={}", CHANNEL, backendPid);
    }

    private void run() {
        try {
            while (!closed) {
                if (connection == null) {
                    if (!reconnect()) {
                        continue;
                    }
                }
                try {
                    poll();
                } catch (SQLException | RuntimeException e) {
                    // Whatever the driver threw, the connection is not to be trusted: a new one.
                    if (closed) {
                        break;
                    }
                    log.warn("event=cluster_bus_lost error=\"{}\"", e.getMessage());
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } catch (InterruptedException e) {
            // close(): the thread ends.
        } finally {
            Connection last = connection;
            connection = null;
            closeQuietly(last);
        }
    }

    /** Waits, then tries once to listen again; true when listening (and every listener resynced). */
    private boolean reconnect() throws InterruptedException {
        Duration delay = backoff.next();
        waiter.await(delay);
        if (closed) {
            return false;
        }
        try {
            listen();
        } catch (SQLException | RuntimeException e) {
            log.warn("event=cluster_bus_reconnect_failed error=\"{}\" next_in_ms={}", e.getMessage(), backoff.peek().toMillis());
            return false;
        }
        reconnects.increment();
        // Notices sent while nobody listened are gone: every listener re-reads what it holds.
        for (Listener listener : listeners) {
            try {
                listener.resynced();
            } catch (RuntimeException e) {
                log.warn("event=cluster_listener_failed phase=resync error=\"{}\"", String.valueOf(e));
            }
        }
        log.info("event=cluster_bus_resynced listeners={}", listeners.size());
        return true;
    }

    private void poll() throws SQLException {
        Connection listening = connection;
        PGNotification[] notices = listening.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
        if (notices != null && notices.length > 0) {
            lastHeardNanos = nanoTime.getAsLong();
            for (PGNotification notice : notices) {
                if (CHANNEL.equals(notice.getName())) {
                    deliver(notice.getParameter());
                }
            }
        } else if (nanoTime.getAsLong() - lastHeardNanos >= CHECK_AFTER_SILENCE.toNanos()) {
            if (!listening.isValid(VALID_TIMEOUT_SECONDS)) {
                throw new SQLException("the listening connection stopped answering");
            }
            lastHeardNanos = nanoTime.getAsLong();
        }
    }

    private void deliver(String payload) {
        received.increment();
        ClusterNotice notice = NoticeJson.read(payload).orElse(null);
        if (notice == null) {
            malformed.increment();
            log.warn("event=cluster_notice_malformed length={}", payload == null ? 0 : payload.length());
            return;
        }
        for (Listener listener : listeners) {
            try {
                listener.notice(notice);
            } catch (RuntimeException e) {
                log.warn("event=cluster_listener_failed kind={} stream={} error=\"{}\"", notice.kind(), notice.streamId(),
                        String.valueOf(e));
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            // Going away anyway.
        }
    }

    /** Stops the thread and closes the listening connection, within a second. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            // Stuck in a read past its timeout: closing the socket under it ends the read.
            closeQuietly(connection);
            try {
                thread.join(TimeUnit.MILLISECONDS.toMillis(100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("event=cluster_bus_closed sent={} received={} reconnects={}", sent.sum(), received.sum(), reconnects.sum());
    }

    /** Notices sent (NOTIFY accepted by the database) since start. */
    public long sent() {
        return sent.sum();
    }

    /** Notices that could not be sent (the change they announced is stored all the same). */
    public long sendFailures() {
        return sendFailures.sum();
    }

    /** Payloads heard on the channel, this node's own and malformed ones included. */
    public long received() {
        return received.sum();
    }

    /** Payloads heard that were not notices, skipped. */
    public long malformed() {
        return malformed.sum();
    }

    /** Times the listening connection was made again after a loss. */
    public long reconnects() {
        return reconnects.sum();
    }

    /** Whether the listening connection is up now. */
    public boolean listening() {
        return connection != null && !closed;
    }

    /** The server process of the listening connection (pg_stat_activity's pid), 0 before the first LISTEN. */
    public int backendPid() {
        return backendPid;
    }

    /** Whether the bus thread is still running (false within a second of {@link #close()}). */
    boolean running() {
        return thread.isAlive();
    }
}
