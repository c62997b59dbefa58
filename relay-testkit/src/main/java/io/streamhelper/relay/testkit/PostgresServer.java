package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package, installed by test.sh), started
 * once per test JVM on a free loopback port and stopped when the JVM exits; each caller of
 * {@link #createDatabase()} gets a database and a login role of its own, so test classes never
 * see each other's rows.
 *
 * <p>As root (CI, these machines) the server runs as the {@code postgres} user, since PostgreSQL
 * refuses to run as root; otherwise as the current user. Durability is switched off
 * ({@code fsync}, {@code synchronous_commit}): the data is thrown away at exit anyway.
 *
 * <p>A test that takes the database away (stops it, starts it again) gets a server of its own,
 * {@link #startPrivate()}: its own data directory and port, {@code synchronous_commit} on so that
 * every commit a relay was told of is in the WAL before the stop (fsync may stay off: an immediate
 * stop kills the processes, not the machine, so what was written is still in the page cache). The
 * shared server is never stopped by a test: other test classes of the JVM use it.
 */
public final class PostgresServer implements AutoCloseable {
    private static final String SUPERUSER = "postgres";
    private static final long START_TIMEOUT_MS = 30_000;
    private static PostgresServer shared;

    private final Path dir;
    private final Path bin;
    private final int port;
    private final String superuserPassword;
    private final boolean isPrivate;
    /** The running postmaster; null while a private server is stopped. Guarded by this. */
    private Process process;
    private boolean closed;
    private final AtomicInteger databases = new AtomicInteger();

    /** A database of its own and the role that owns it; the password is a test secret, not a key. */
    public record TestDatabase(String name, String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "TestDatabase[" + jdbcUrl + ", user=" + user + "]";
        }
    }

    private PostgresServer(Path dir, Path bin, int port, String superuserPassword, boolean isPrivate) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.superuserPassword = superuserPassword;
        this.isPrivate = isPrivate;
    }

    /** The JVM's server, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = create(false);
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "postgres-stop"));
        }
        return shared;
    }

    /**
     * A server of the caller's own, which it may {@link #stop()} and {@link #start()} again (same
     * port, same data); {@link #close()} ends it and deletes its data (a JVM exit does too).
     */
    public static PostgresServer startPrivate() {
        PostgresServer server = create(true);
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "postgres-private-stop"));
        return server;
    }

    /**
     * Stops the server at once, as a crash would ({@code pg_ctl stop -m immediate}: every
     * connection drops, nothing is checkpointed); committed data survives (synchronous_commit is
     * on). Only a private server may be stopped.
     */
    public synchronized void stop() {
        if (!isPrivate) {
            throw new IllegalStateException("the shared PostgreSQL is never stopped by a test: use startPrivate()");
        }
        if (process == null || closed) {
            return;
        }
        pgCtlStop();
        process = null;
    }

    /** Starts a stopped private server again, on the same port and data; returns once it accepts connections. */
    public synchronized void start() {
        if (!isPrivate || closed) {
            throw new IllegalStateException(closed ? "this PostgreSQL is closed" : "the shared PostgreSQL is always running");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        launch();
        awaitReady();
    }

    /** Whether the postmaster runs now (a stopped private server: false). */
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** A private server: stopped and its data deleted. The shared one stops with the JVM only. */
    @Override
    public void close() {
        if (isPrivate) {
            destroy();
        }
    }

    public int port() {
        return port;
    }

    /** A new, empty database owned by a new role with a password (scram-sha-256 over TCP). */
    public TestDatabase createDatabase() {
        String name = "relay_test_" + databases.incrementAndGet();
        // Registered like a stream key: the whole-suite log scan then fails on any line that prints it.
        String password = TestKeys.issued("pgpw-" + randomHex(12));
        try (Connection admin = superuserConnection("postgres"); Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
            sql.execute("CREATE DATABASE " + name + " OWNER " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(name, jdbcUrl(name), name, password);
    }

    /** A superuser connection to {@code database}, for what an operator with psql could do. */
    public Connection superuserConnection(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, superuserPassword);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The server's own programs ({@code pg_dump}, {@code psql}, ...). */
    public Path program(String name) {
        return bin.resolve(name);
    }

    private static PostgresServer create(boolean isPrivate) {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("relay-pg-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SUPERUSER);
                Files.setOwner(dir, postgres);
            }
            String password = randomHex(16);
            Path pwFile = dir.resolve("superuser-password");
            Files.writeString(pwFile, password + "\n");
            if (root) {
                Files.setOwner(pwFile, Files.getOwner(dir));
            }
            Path data = dir.resolve("data");
            run(root, dir, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwFile, "--auth-host=scram-sha-256", "--auth-local=trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            PostgresServer server = new PostgresServer(dir, bin, FreePorts.allocate(), password, isPrivate);
            synchronized (server) {
                server.launch();
                server.awaitReady();
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL for the tests", e);
        }
    }

    /** The postmaster on this server's port and data; its log is appended to across restarts. */
    private void launch() {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            process = new ProcessBuilder(command(root, List.of(bin.resolve("postgres").toString(),
                    "-D", dir.resolve("data").toString(), "-p", Integer.toString(port), "-k", dir.toString(),
                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                    // A private server is stopped under a running relay: what it committed must be there after.
                    "-c", "synchronous_commit=" + (isPrivate ? "on" : "off"),
                    "-c", "full_page_writes=off", "-c", "max_connections=300")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL for the tests", e);
        }
    }

    private void awaitReady() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        SQLException last = null;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("postgres exited with " + process.exitValue() + ": " + log());
            }
            try (Connection ignored = superuserConnection("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String log = log();
        destroy();
        throw new IllegalStateException("postgres did not accept connections within " + START_TIMEOUT_MS + " ms ("
                + (last == null ? "interrupted" : last.getMessage()) + "): " + log);
    }

    /** Stopped for good, data deleted: at JVM exit, after a failed start, at a private server's close. */
    private synchronized void destroy() {
        if (closed) {
            return;
        }
        closed = true;
        if (process != null) {
            pgCtlStop();
            process = null;
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // A temporary folder left behind is not worth failing a finished run.
        }
    }

    /** Immediate: open pools of tests still running must not hold the stop up. */
    private void pgCtlStop() {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            run(root, dir, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-m", "immediate", "-w", "stop"));
        } catch (RuntimeException e) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path findBin() {
        Path root = Path.of("/usr/lib/postgresql");
        List<Path> versions = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (var list = Files.list(root)) {
                list.filter(v -> Files.isExecutable(v.resolve("bin/postgres"))).forEach(versions::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // Newest major version: the names are numbers ("15", "16").
        return versions.stream()
                .max((a, b) -> Integer.compare(major(a), major(b)))
                .map(v -> v.resolve("bin"))
                .orElseThrow(() -> new IllegalStateException(
                        "no PostgreSQL server under /usr/lib/postgresql: install Debian's postgresql package (test.sh does)"));
    }

    private static int major(Path version) {
        try {
            return Integer.parseInt(version.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> command(boolean root, List<String> command) {
        if (!root) {
            return command;
        }
        List<String> asPostgres = new ArrayList<>(List.of("runuser", "-u", SUPERUSER, "--"));
        asPostgres.addAll(command);
        return asPostgres;
    }

    private static void run(boolean root, Path dir, List<String> command) {
        try {
            Path out = Files.createTempFile("relay-pg-cmd-", ".log");
            try {
                Process p = new ProcessBuilder(command(root, command)).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command.get(0) + " did not finish within 60 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(command.get(0) + " exited with " + p.exitValue() + ": " + Files.readString(out));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("postgres.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
