package io.streamhelper.relay.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command to its end (Docker's CLI, debootstrap), with its output in a file. */
final class Commands {
    private Commands() {
    }

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        /** The last lines, for an assertion message. */
        String tail() {
            String[] lines = output.split("\n");
            return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
        }
    }

    static Result run(Duration timeout, Path log, List<String> command) {
        return run(timeout, log, Map.of(), null, command);
    }

    /**
     * Runs the command with stdout and stderr into {@code log} (appended, so one file tells a
     * step's story), optional extra environment and stdin text; kills it at the timeout.
     */
    static Result run(Duration timeout, Path log, Map<String, String> env, String stdin, List<String> command) {
        try {
            Files.createDirectories(log.getParent());
            Path out = Files.createTempFile(log.getParent(), "cmd-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().putAll(env);
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = builder.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out);
            Files.delete(out);
            Files.writeString(log, "$ " + String.join(" ", command) + "\n" + output + (done ? "" : "\n(killed after " + timeout + ")\n"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return new Result(done ? p.exitValue() : -1, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
