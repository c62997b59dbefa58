package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx as the reverse proxy docs/deployment.md recommends, in front of an HTTP server on
 * loopback: {@code proxy_pass} to it with {@code X-Forwarded-For $proxy_add_x_forwarded_for}, so
 * the server sees every client as 127.0.0.1 and the client's address in the header. Started like
 * {@link NginxRtmp}: its own prefix, pid, logs and temp paths under the test's directory, daemon
 * off so the test owns the process.
 */
public final class NginxHttpProxy implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private NginxHttpProxy(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Listens on 127.0.0.1 at a free port and forwards everything to 127.0.0.1:upstreamPort. */
    public static NginxHttpProxy start(Path workDir, int upstreamPort) throws IOException {
        Tools.require("nginx");
        Path dir = workDir.toAbsolutePath();
        Files.createDirectories(dir.resolve("temp"));
        NginxHttpProxy nginx = new NginxHttpProxy(dir, FreePorts.allocate());
        Files.writeString(dir.resolve("nginx.conf"), nginx.config(upstreamPort));
        nginx.launch();
        return nginx;
    }

    private String config(int upstreamPort) {
        Path temp = dir.resolve("temp");
        return "daemon off;\nmaster_process off;\nworker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " info;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n"
                + "  access_log off;\n"
                + "  client_body_temp_path " + temp.resolve("body") + ";\n"
                + "  proxy_temp_path " + temp.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + temp.resolve("fastcgi") + ";\n"
                + "  uwsgi_temp_path " + temp.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + temp.resolve("scgi") + ";\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + ";\n"
                + "    location / {\n"
                + "      proxy_pass http://127.0.0.1:" + upstreamPort + ";\n"
                + "      proxy_set_header Host $host;\n"
                + "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                + "    }\n"
                + "  }\n"
                + "}\n";
    }

    private void launch() throws IOException {
        process = NginxProcess.launch(dir, port);
    }

    /** The port nginx listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
