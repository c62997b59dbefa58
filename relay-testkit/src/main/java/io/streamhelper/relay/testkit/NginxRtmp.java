package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx with the RTMP module, started by a test as a destination on free loopback ports:
 * application {@code live}, optional recording of every stream to {@code rec/<name>.flv},
 * optional on_publish/on_publish_done hooks, and an optional TLS front (nginx's stream module with
 * a certificate made by openssl for 127.0.0.1 and localhost) for RTMPS.
 */
public final class NginxRtmp implements AutoCloseable {

    /** What the destination should do besides receiving. */
    public static final class Options {
        private HookServer hooks;
        private boolean record;
        private boolean tls;
        private String extraAddress;

        /**
         * Also listens for RTMP on this local address (same port): a container reaches the host
         * through its Docker network's gateway, not the host's loopback.
         */
        public Options alsoListenOn(String address) {
            this.extraAddress = address;
            return this;
        }

        public Options hooks(HookServer hookServer) {
            this.hooks = hookServer;
            return this;
        }

        public Options record(boolean on) {
            this.record = on;
            return this;
        }

        public Options tls(boolean on) {
            this.tls = on;
            return this;
        }
    }

    private final Path dir;
    private final Options options;
    private final int rtmpPort;
    private final int tlsPort;
    private Process process;

    private NginxRtmp(Path dir, Options options) {
        this.dir = dir;
        this.options = options;
        this.rtmpPort = FreePorts.allocate();
        this.tlsPort = options.tls ? FreePorts.allocate() : -1;
    }

    public static Options options() {
        return new Options();
    }

    public static NginxRtmp start(Path workDir, Options options) throws IOException {
        Tools.require("nginx");
        Files.createDirectories(workDir.resolve("rec"));
        NginxRtmp nginx = new NginxRtmp(workDir.toAbsolutePath(), options);
        if (options.tls) {
            Certificates.selfSigned(nginx.dir);
        }
        Files.writeString(nginx.dir.resolve("nginx.conf"), nginx.config());
        nginx.launch();
        return nginx;
    }

    private String config() {
        Path modules = Tools.nginxModulesDir();
        StringBuilder c = new StringBuilder();
        c.append("load_module ").append(modules.resolve("ngx_rtmp_module.so")).append(";\n");
        if (options.tls) {
            c.append("load_module ").append(modules.resolve("ngx_stream_module.so")).append(";\n");
        }
        c.append("daemon off;\nmaster_process off;\nworker_processes 1;\n");
        c.append("pid ").append(dir.resolve("nginx.pid")).append(";\n");
        c.append("error_log ").append(dir.resolve("error.log")).append(" info;\n");
        c.append("events { worker_connections 512; }\n");
        c.append("rtmp {\n  server {\n    listen 127.0.0.1:").append(rtmpPort).append(";\n");
        if (options.extraAddress != null) {
            c.append("    listen ").append(options.extraAddress).append(':').append(rtmpPort).append(";\n");
        }
        c.append("    chunk_size 4096;\n");
        c.append("    application live {\n      live on;\n");
        if (options.record) {
            c.append("      record all;\n      record_path ").append(dir.resolve("rec")).append(";\n");
            c.append("      record_unique off;\n      record_suffix .flv;\n");
        }
        if (options.hooks != null) {
            c.append("      on_publish ").append(options.hooks.url("publish")).append(";\n");
            c.append("      on_publish_done ").append(options.hooks.url("publish_done")).append(";\n");
        }
        c.append("    }\n  }\n}\n");
        if (options.tls) {
            // Also on 127.0.0.2, a name the certificate does not hold: for host-name verification tests.
            c.append("stream {\n  server {\n    listen 127.0.0.1:").append(tlsPort).append(" ssl;\n");
            c.append("    listen 127.0.0.2:").append(tlsPort).append(" ssl;\n");
            c.append("    ssl_certificate ").append(dir.resolve("server.crt")).append(";\n");
            c.append("    ssl_certificate_key ").append(dir.resolve("server.key")).append(";\n");
            c.append("    proxy_pass 127.0.0.1:").append(rtmpPort).append(";\n  }\n}\n");
        }
        return c.toString();
    }

    private void launch() throws IOException {
        process = tlsPort < 0 ? NginxProcess.launch(dir, rtmpPort) : NginxProcess.launch(dir, rtmpPort, tlsPort);
    }

    public int rtmpPort() {
        return rtmpPort;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** The application URL for plain RTMP: append "/" + stream name to play or publish. */
    public String rtmpUrl() {
        return "rtmp://127.0.0.1:" + rtmpPort + "/live";
    }

    /** The application URL through the TLS front; the certificate names localhost and 127.0.0.1. */
    public String rtmpsUrl() {
        if (tlsPort < 0) {
            throw new IllegalStateException("started without tls");
        }
        return "rtmps://localhost:" + tlsPort + "/live";
    }

    /** The TLS front under an address its certificate does not name: verification must refuse it. */
    public String rtmpsUrlWithWrongName() {
        return "rtmps://127.0.0.2:" + tlsPort + "/live";
    }

    /** The CA certificate (PEM) a client must trust to reach the TLS front. */
    public Path caCertificatePem() {
        return dir.resolve("ca.crt");
    }

    public Path recording(String streamName) {
        return dir.resolve("rec").resolve(streamName + ".flv");
    }

    public Path errorLog() {
        return dir.resolve("error.log");
    }

    /** Whether the nginx process is running (false after stop, or if it crashed). */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The last lines of nginx's error log, for a failing test to say what the destination saw. */
    public String errorLogTail(int lines) {
        try {
            List<String> all = Files.exists(errorLog()) ? Files.readAllLines(errorLog()) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Kills nginx at once, as a crashing destination would vanish. */
    public void stop() {
        if (process != null && process.isAlive()) {
            signal("CONT"); // a frozen process cannot die until it runs again
            NginxProcess.kill(process);
        }
    }

    /**
     * Stops nginx with SIGSTOP: the kernel still accepts connections and buffers a little, but
     * nothing is read any more, like a destination that hangs without closing.
     */
    public void freeze() {
        signal("STOP");
    }

    /** Lets a frozen nginx run again. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts again on the same ports, as a destination coming back. */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
