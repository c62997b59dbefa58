package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.fail;

import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine for a test: the one already answering, or a {@code dockerd} the test starts
 * (as root; Debian's docker.io installs it without starting it here) and stops again. Where
 * neither works the test fails and says why: a skipped Docker test would hide a broken image.
 */
final class DockerEngine implements AutoCloseable {
    private final Path workDir;
    private final Process started;
    private final String serverVersion;

    private DockerEngine(Path workDir, Process started, String serverVersion) {
        this.workDir = workDir;
        this.started = started;
        this.serverVersion = serverVersion;
    }

    static DockerEngine ensure(Path workDir) throws IOException {
        if (Tools.find("docker") == null) {
            fail("the docker CLI is not installed: run the tests with ./test.sh, which installs docker.io");
        }
        Path log = workDir.resolve("docker.log");
        String version = version(log);
        if (version != null) {
            return new DockerEngine(workDir, null, version);
        }
        Path dockerd = Tools.find("dockerd");
        if (dockerd == null) {
            fail("no Docker engine answers (docker version) and dockerd is not installed: ./test.sh installs docker.io");
        }
        if (!"0".equals(Commands.run(Duration.ofSeconds(5), log, List.of("id", "-u")).output().strip())) {
            fail("no Docker engine answers (docker version), and starting dockerd needs root: run ./test.sh as root, or start dockerd first");
        }
        Files.createDirectories(workDir);
        Path dockerdLog = workDir.resolve("dockerd.log");
        Process process = new ProcessBuilder(dockerd.toString(), "--pidfile", workDir.resolve("dockerd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dockerdLog.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("dockerd exited with " + process.exitValue() + " and no Docker engine runs:\n" + tail(dockerdLog));
            }
            version = version(log);
            if (version != null) {
                return new DockerEngine(workDir, process, version);
            }
            try {
                Thread.sleep(250); // polling an engine that is starting, not a timing assumption
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop(process);
        return fail("dockerd did not answer within 60 s:\n" + tail(dockerdLog));
    }

    /** The engine's version ("20.10.24+dfsg1"), or null when none answers. */
    private static String version(Path log) {
        Commands.Result r = Commands.run(Duration.ofSeconds(20), log, List.of("docker", "version", "--format", "{{.Server.Version}}"));
        return r.ok() && !r.output().isBlank() ? r.output().strip() : null;
    }

    String serverVersion() {
        return serverVersion;
    }

    boolean startedHere() {
        return started != null;
    }

    Commands.Result docker(Duration timeout, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return Commands.run(timeout, workDir.resolve("docker.log"), command);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void stop(Process process) {
        process.destroy(); // SIGTERM: dockerd stops its containers and its own containerd
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops dockerd if this test started it; an engine that was already running is left alone. */
    @Override
    public void close() {
        if (started != null) {
            stop(started);
        }
    }
}
