package io.streamhelper.relay.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        process = new ProcessBuilder(Tools.find("nginx").toString(), "-p", dir.toString(),
                "-e", dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + logs());
                }
                return accepts(port);
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private String logs() {
        try {
            String out = Files.exists(dir.resolve("stdout.log")) ? Files.readString(dir.resolve("stdout.log")) : "";
            String err = Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "";
            return out + err;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
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
