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
 * An nginx a test owns ({@link NginxRtmp}, {@link NginxHttpProxy}): prefix, {@code nginx.conf},
 * logs and temp paths under the test's directory (the config says {@code daemon off}, so the
 * process is the server), started and awaited until every port it should listen on accepts.
 */
final class NginxProcess {
    private NginxProcess() {
    }

    /** Starts nginx on {@code dir/nginx.conf}; returns once each port accepts, or fails with nginx's own words. */
    static Process launch(Path dir, int... ports) throws IOException {
        Process process = new ProcessBuilder(Tools.find("nginx").toString(), "-p", dir.toString(),
                "-e", dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + logs(dir));
                }
                for (int port : ports) {
                    if (!accepts(port)) {
                        return false;
                    }
                }
                return true;
            });
        } catch (RuntimeException e) {
            kill(process);
            throw e;
        }
        return process;
    }

    /** Kills it at once and waits for it to be gone. */
    static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String logs(Path dir) {
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
}
