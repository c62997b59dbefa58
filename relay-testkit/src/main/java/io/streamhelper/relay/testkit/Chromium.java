package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium, to see a page the way a user's browser does: its scripts run, it
 * fetches from the relay, and what it rendered is read back ({@code --dump-dom}) or photographed
 * ({@code --screenshot}). Each run gets a fresh profile directory and stays off the network
 * except for the URL it is given (no sync, updates, QUIC or background requests).
 * {@code --virtual-time-budget} lets the page's timers and fetches run for that long (in virtual
 * time, so no test sleeps) before Chromium reports.
 */
public final class Chromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(90);

    private Chromium() {
    }

    /** The DOM after the page has run for {@code budget} of virtual time, as HTML text. */
    public static String dumpDom(String url, Duration budget, Path workDir) {
        Path out = run(workDir, "dom", budget, url, List.of("--dump-dom"));
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG of the page after {@code budget} of virtual time, written to {@code png} (kept). */
    public static Path screenshot(String url, Path png, int width, int height, Duration budget, Path workDir) {
        run(workDir, "screenshot", budget, url, List.of("--screenshot=" + png.toAbsolutePath(),
                "--window-size=" + width + "," + height, "--hide-scrollbars"));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot to " + png + "; see its log in " + workDir);
        }
        return png;
    }

    /** The Chromium this machine has (Debian's chromium first). */
    public static Path binary() {
        for (String name : NAMES) {
            Path found = Tools.find(name);
            if (found != null) {
                return found;
            }
        }
        throw new AssertionError("chromium is not installed; run the tests with ./test.sh, which installs it");
    }

    /** Runs one headless Chromium to completion; returns the file holding its stdout. */
    private static Path run(Path workDir, String what, Duration budget, String url, List<String> extra) {
        Path chromium = binary();
        try {
            Files.createDirectories(workDir);
            Path profile = Files.createTempDirectory(workDir.toAbsolutePath(), "chromium-profile-");
            Path stdout = workDir.resolve(what + ".out");
            Path log = workDir.resolve(what + ".log");
            List<String> command = new ArrayList<>(List.of(chromium.toString(),
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--disable-extensions", "--no-default-browser-check",
                    "--user-data-dir=" + profile,
                    "--virtual-time-budget=" + budget.toMillis()));
            command.addAll(extra);
            command.add(url);
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(log.toFile())
                    .start();
            process.getOutputStream().close();
            try {
                if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("chromium did not finish within " + PROCESS_TIMEOUT + "; see " + log);
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError("chromium exited " + process.exitValue() + ": " + Files.readString(log));
                }
            } finally {
                FileTrees.delete(profile);
            }
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
