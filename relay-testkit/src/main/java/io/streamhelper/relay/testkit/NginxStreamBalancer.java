package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (its stream module) as the TCP balancer deploy/multi-node/nginx.conf puts in front
 * of several relays' RTMP ports: {@code hash $remote_addr consistent}, so an encoder that
 * reconnects from the same address reaches the same node while that node lives, and passive
 * failure handling ({@code proxy_next_upstream on}, {@code proxy_connect_timeout 1s},
 * {@code max_fails=1 fail_timeout=5s}), so a node whose port refuses connections (it crashed) is
 * skipped for the next one at once. Started like {@link NginxRtmp}: its own prefix, pid, logs and
 * temp paths under the test's directory, daemon off so the test owns the process.
 *
 * <p>Each finished TCP session is logged to {@code access.log} as
 * {@code <client> <upstream tried, ...> <bytes up> <bytes down>}, so a test can say which node a
 * connection went to.
 */
public final class NginxStreamBalancer implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<Integer> upstreams;
    private Process process;

    private NginxStreamBalancer(Path dir, int port, List<Integer> upstreams) {
        this.dir = dir;
        this.port = port;
        this.upstreams = List.copyOf(upstreams);
    }

    /** Listens on 127.0.0.1 at a free port and balances to 127.0.0.1 at each of {@code upstreamPorts}. */
    public static NginxStreamBalancer start(Path workDir, List<Integer> upstreamPorts) throws IOException {
        Tools.require("nginx");
        if (upstreamPorts.isEmpty()) {
            throw new IllegalArgumentException("a balancer needs at least one upstream");
        }
        Path modules = Tools.nginxModulesDir();
        if (!Files.exists(modules.resolve("ngx_stream_module.so"))) {
            throw new AssertionError("ngx_stream_module.so not found in " + modules
                    + "; run the tests with ./test.sh (libnginx-mod-stream)");
        }
        Path dir = workDir.toAbsolutePath();
        Files.createDirectories(dir);
        NginxStreamBalancer nginx = new NginxStreamBalancer(dir, FreePorts.allocate(), upstreamPorts);
        Files.writeString(dir.resolve("nginx.conf"), nginx.config(modules));
        nginx.process = NginxProcess.launch(dir, nginx.port);
        return nginx;
    }

    private String config(Path modules) {
        StringBuilder c = new StringBuilder();
        c.append("load_module ").append(modules.resolve("ngx_stream_module.so")).append(";\n");
        c.append("daemon off;\nmaster_process off;\nworker_processes 1;\n");
        c.append("pid ").append(dir.resolve("nginx.pid")).append(";\n");
        c.append("error_log ").append(dir.resolve("error.log")).append(" info;\n");
        c.append("events { worker_connections 512; }\n");
        c.append("stream {\n");
        c.append("  log_format sessions '$remote_addr $upstream_addr $upstream_bytes_sent $upstream_bytes_received';\n");
        c.append("  access_log ").append(dir.resolve("access.log")).append(" sessions;\n");
        c.append("  upstream relays {\n");
        // Source affinity: the same client address maps to the same node as long as it is up;
        // "consistent" (ketama) moves only the addresses of a node that goes away.
        c.append("    hash $remote_addr consistent;\n");
        for (int upstream : upstreams) {
            // One refused connection marks a node down for 5 s: a crashed relay is skipped at once.
            c.append("    server 127.0.0.1:").append(upstream).append(" max_fails=1 fail_timeout=5s;\n");
        }
        c.append("  }\n");
        c.append("  server {\n");
        c.append("    listen 127.0.0.1:").append(port).append(";\n");
        c.append("    proxy_pass relays;\n");
        c.append("    proxy_connect_timeout 1s;\n");
        c.append("    proxy_next_upstream on;\n");
        c.append("    proxy_next_upstream_tries ").append(upstreams.size()).append(";\n");
        c.append("  }\n");
        c.append("}\n");
        return c.toString();
    }

    /** The port nginx listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The relays' RTMP application through the balancer: append "/" + stream key to publish. */
    public String rtmpUrl() {
        return "rtmp://127.0.0.1:" + port + "/live";
    }

    /**
     * The upstream addresses of each finished session, oldest first, as nginx logged them
     * (several, comma-separated, when it had to try the next one).
     */
    public List<String> finishedSessions() {
        Path log = dir.resolve("access.log");
        List<String> sessions = new ArrayList<>();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    String[] fields = line.split(" ", 2);
                    if (fields.length == 2) {
                        sessions.add(fields[1]);
                    }
                }
            }
        } catch (IOException e) {
            sessions.add(e.toString());
        }
        return sessions;
    }

    /** nginx's error log: where it says which upstream refused a connection. */
    public String errorLog() {
        try {
            return Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            // SIGTERM: nginx closes its sessions and writes their access-log lines before it exits.
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    NginxProcess.kill(process);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                NginxProcess.kill(process);
            }
        }
    }
}
