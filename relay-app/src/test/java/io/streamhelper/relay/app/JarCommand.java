package io.streamhelper.relay.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar streamhelper-relay.jar <args>} as an operator runs it next to a server: a child
 * JVM (the test's classpath, Main as main class) with the server's settings as its environment.
 * A separate process is the point: SQLite's locks and snapshots between two processes, and the
 * data directory's OS lock, are not what two connections inside one JVM see.
 */
final class JarCommand {
    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    private JarCommand() {
    }

    static Result run(Map<String, String> env, String... args) {
        return runUnder(List.of(), env, args);
    }

    /** As {@link #run}, the JVM started by {@code wrapper} (e.g. {@code strace -f -o <file>}). */
    static Result runUnder(List<String> wrapper, Map<String, String> env, String... args) {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(Files.createDirectories(Path.of("target")), "command-", ".out");
            Path err = Files.createTempFile(Path.of("target"), "command-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("RELAY_") || name.equals("ENCRYPTION_KEY"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(wrapper.isEmpty() ? 60 : 180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("java " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
