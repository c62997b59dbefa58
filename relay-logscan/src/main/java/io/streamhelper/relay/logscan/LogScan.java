package io.streamhelper.relay.logscan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Searches every log the test suite wrote for every key the suite created.
 *
 * <p>Keys: each line of {@code <module>/target/test-keys/*.txt}, written by relay-testkit's
 * TestKeys. Logs: what the relay printed, in two places: each test class's console output,
 * {@code <module>/target/surefire-reports/*-output.txt} (and {@code failsafe-reports} for the tests
 * that run against the packaged jar), and the log of a relay started in its own
 * process by a test, any file named {@code relay*.log} under a module's target directory (that
 * name is the convention such tests follow). Logs of the peers (ffmpeg, nginx-rtmp) are not ours and
 * are left out on purpose: those programs are handed the keys and print them.
 *
 * <p>A scan that finds no key or no log fails as well: it would pass whatever the relay printed.
 */
public final class LogScan {
    /** A key found in a log; only its first 4 characters, so the report does not leak it again. */
    public record Finding(Path file, String keyStart) {
        @Override
        public String toString() {
            return file + ": key starting \"" + keyStart + "\"";
        }
    }

    public record Result(Set<String> keys, List<Path> logs, List<Finding> findings) {
    }

    /** Thrown when the scan finds a key, or has nothing to scan; the message says which. */
    public static final class ScanFailed extends RuntimeException {
        ScanFailed(String message) {
            super(message);
        }
    }

    private LogScan() {
    }

    /** Scans the module directories under root and throws {@link ScanFailed} unless all is clean. */
    public static Result check(Path root) throws IOException {
        Result result = scan(root);
        if (result.keys().isEmpty()) {
            throw new ScanFailed("no test keys recorded under " + root + "/*/target/test-keys: nothing to look for");
        }
        if (result.logs().isEmpty()) {
            throw new ScanFailed("no log files under " + root + "/*/target: nothing to look in");
        }
        if (!result.findings().isEmpty()) {
            throw new ScanFailed(result.findings().size() + " key(s) found in logs:\n"
                    + String.join("\n", result.findings().stream().map(Finding::toString).toList()));
        }
        return result;
    }

    public static Result scan(Path root) throws IOException {
        List<Path> targets = moduleTargets(root);
        Set<String> keys = new LinkedHashSet<>();
        List<Path> logs = new ArrayList<>();
        for (Path target : targets) {
            keys.addAll(recordedKeys(target.resolve("test-keys")));
            logs.addAll(logFiles(target));
        }
        List<Finding> findings = new ArrayList<>();
        for (Path log : logs) {
            // Malformed bytes (a binary dump in a log) become U+FFFD instead of failing the read.
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            for (String key : keys) {
                if (text.contains(key)) {
                    findings.add(new Finding(root.relativize(log), key.substring(0, Math.min(4, key.length()))));
                }
            }
        }
        return new Result(keys, logs, findings);
    }

    private static List<Path> moduleTargets(Path root) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            return children.map(module -> module.resolve("target")).filter(Files::isDirectory).sorted().toList();
        }
    }

    private static Set<String> recordedKeys(Path dir) throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        if (!Files.isDirectory(dir)) {
            return keys;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".txt")).toList()) {
                Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).filter(k -> !k.isEmpty())
                        .forEach(keys::add);
            }
        }
        return keys;
    }

    private static List<Path> logFiles(Path target) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(target, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && isRelayLog(file)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // a peer's private temp file: not a relay log
            }
        });
        found.sort(null);
        return found;
    }

    static boolean isRelayLog(Path file) {
        String name = file.getFileName().toString();
        Path parent = file.getParent();
        boolean surefireOutput = name.endsWith("-output.txt") && parent != null
                && (parent.getFileName().toString().equals("surefire-reports")
                        || parent.getFileName().toString().equals("failsafe-reports"));
        boolean relayProcessLog = name.startsWith("relay") && name.endsWith(".log");
        return surefireOutput || relayProcessLog;
    }

    /** {@code java LogScan <repository root>}: exit 1 and the findings when a key leaked. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        try {
            Result result = check(root);
            System.out.println("log scan: " + result.keys().size() + " keys, " + result.logs().size() + " log files, no key found");
        } catch (ScanFailed e) {
            System.err.println("log scan failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
