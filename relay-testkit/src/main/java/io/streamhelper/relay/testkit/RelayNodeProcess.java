package io.streamhelper.relay.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One relay node of a cluster as its own JVM ({@code java -cp <this JVM's class path>
 * io.streamhelper.relay.app.Main}): a node that a test can SIGKILL must not share the test's
 * process, and two nodes in one JVM would share static state a real cluster never shares. Its
 * data directory, free HTTP and RTMP ports, {@code RELAY_NODE_ID} and loopback-friendly settings
 * are set here; the database and the shared {@code ENCRYPTION_KEY} come from the caller (nodes on
 * one database must share the key: a keyset made in one node's data directory would not open the
 * other's key check). Its stdout and stderr go to {@code relay.log} under its directory.
 *
 * <p>The class path is the test JVM's: relay-app's tests, which depend on this module, have Main on it.
 */
public final class RelayNodeProcess implements AutoCloseable {
    public static final String MAIN_CLASS = "io.streamhelper.relay.app.Main";
    public static final String HEALTH_PATH = "/api/v1/server/healthcheck";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String nodeId;
    private final Path dir;
    private final int httpPort;
    private final int rtmpPort;
    private final Process process;

    private RelayNodeProcess(String nodeId, Path dir, int httpPort, int rtmpPort, Process process) {
        this.nodeId = nodeId;
        this.dir = dir;
        this.httpPort = httpPort;
        this.rtmpPort = rtmpPort;
        this.process = process;
    }

    /**
     * Starts node {@code nodeId} with its files under {@code workDir} and returns once its health
     * check answers 200 (or fails, quoting its log, if it exits or does not within 60 s: a JVM
     * that migrates a database on a loaded 2-core machine took 15 s).
     * {@code settings} (database, ENCRYPTION_KEY, anything else) win over the defaults here.
     */
    public static RelayNodeProcess start(Path workDir, String nodeId, Map<String, String> settings) throws IOException {
        Path dir = Files.createDirectories(workDir.toAbsolutePath());
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        int httpPort = FreePorts.allocate();
        int rtmpPort = FreePorts.allocate();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RELAY_BIND_ADDRESS", "127.0.0.1");
        env.put("RELAY_HTTP_PORT", String.valueOf(httpPort));
        env.put("RELAY_RTMP_PORT", String.valueOf(rtmpPort));
        env.put("RELAY_DATA_DIR", dataDir.toString());
        env.put("RELAY_NODE_ID", nodeId);
        // The test's destinations are nginx-rtmp on 127.0.0.1.
        env.put("RELAY_ALLOW_PRIVATE_DESTINATIONS", "true");
        // As the in-process tests do: a lost publisher ends its stream at once.
        env.put("RELAY_PUBLISHER_GRACE_S", "0");
        String transport = System.getenv("RELAY_TRANSPORT");
        if (transport != null && !transport.isBlank()) {
            env.put("RELAY_TRANSPORT", transport);
        }
        env.putAll(settings);

        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial collector: two node JVMs starting at once on a 2-core machine
        // spend most of their start in C2 compiler and GC threads; what a test checks (relaying,
        // ownership, fail-over) does not depend on the JIT tier.
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MAIN_CLASS));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("relay.log").toFile()));
        // Only what is given here: the test JVM's own RELAY_* settings must not leak into a node.
        builder.environment().keySet().removeIf(name -> name.startsWith("RELAY_") || name.startsWith("ENCRYPTION_KEY"));
        builder.environment().putAll(env);
        RelayNodeProcess node = new RelayNodeProcess(nodeId, dir, httpPort, rtmpPort, builder.start());
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!node.process.isAlive()) {
                    throw new IllegalStateException(nodeId + " exited with " + node.process.exitValue() + ":\n" + node.log());
                }
                return node.healthStatus() == 200;
            });
        } catch (RuntimeException e) {
            node.kill();
            throw new AssertionError(nodeId + " did not become healthy within 60 s: " + e.getMessage() + "\n" + node.log(), e);
        }
        return node;
    }

    public String nodeId() {
        return nodeId;
    }

    public int httpPort() {
        return httpPort;
    }

    public int rtmpPort() {
        return rtmpPort;
    }

    /** http://127.0.0.1:port, for the API's paths. */
    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The node's own RTMP application, bypassing any balancer: append "/" + stream key. */
    public String rtmpUrl() {
        return "rtmp://127.0.0.1:" + rtmpPort + "/live";
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The health check's status, or -1 when nothing answers (the node is down or not up yet). */
    public int healthStatus() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + HEALTH_PATH)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * SIGKILL, as a crash or an OOM killer would end it: no shutdown hook, no FCUnpublish, no
     * release of anything it holds in the database. ({@link Process#destroyForcibly} is SIGKILL
     * on Linux; the exit value 128 + 9 checked here proves it.) Returns the exit value.
     */
    public int kill() {
        process.destroyForcibly();
        int exit = awaitExit(Duration.ofSeconds(10));
        if (exit != 137) {
            throw new AssertionError(nodeId + " was to die of SIGKILL (exit 137) but exited " + exit);
        }
        return exit;
    }

    /** SIGTERM, as docker stop sends, and waits (up to 15 s) for its exit value. */
    public int stop() {
        process.destroy();
        return awaitExit(Duration.ofSeconds(15));
    }

    private int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(nodeId + " did not exit within " + within.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    /** Everything the node printed so far (its log lines: the layout redacts, so a key here is a leak). */
    public String log() {
        try {
            Path log = dir.resolve("relay.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path logFile() {
        return dir.resolve("relay.log");
    }

    /** SIGKILLs a node the test left running (a test that failed half-way). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
