package io.streamhelper.relay.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The host's local Maven repository served read-only over loopback: a local repository has the
 * layout of a remote one, so a Docker build on the host network can use it as its mirror where
 * Maven Central cannot be reached. It prefers one fixed port because the mirror URL is a build
 * argument, and a new URL would invalidate Docker's layer cache for the whole Maven stage.
 */
final class MavenRepositoryServer implements AutoCloseable {
    private static final int PREFERRED_PORT = 37655;
    private final Path root;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    MavenRepositoryServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), PREFERRED_PORT), 32);
        } catch (BindException busy) {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        }
        server = s;
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The host's local repository: maven.repo.local if Maven was told, else ~/.m2/repository. */
    static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Path file = root.resolve(exchange.getRequestURI().getPath().replaceFirst("^/+", "")).normalize();
            boolean get = "GET".equals(exchange.getRequestMethod());
            if (!file.startsWith(root) || !Files.isRegularFile(file) || !(get || "HEAD".equals(exchange.getRequestMethod()))) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, get ? Files.size(file) : -1);
            if (get) {
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
