package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real OBS Studio (Debian 12: 29.0.2) as a publisher, headless: its own X display (Xvfb),
 * OpenGL in software (Mesa llvmpipe), a fresh HOME and config directory holding an
 * {@link ObsProfile}, started with {@code --startstreaming}. It streams until {@link #close()},
 * reconnecting by itself as its profile says. Its log (OBS writes one per run under its config
 * directory) is what a failing test reads to say what OBS did.
 *
 * <p>OBS is kept off the network except for the stream: the rtmp-services plugin's service-list
 * update (always attempted on Linux, through curl) goes to a proxy address where nothing listens.
 */
public final class Obs implements AutoCloseable {
    /** What OBS logs each time its RTMP output has connected and been let publish (plugins/obs-outputs/rtmp-stream.c). */
    private static final String CONNECTED = "] Connection to ";
    private static final String SUCCESSFUL = " successful";
    private static final String NO_NETWORK = "http://127.0.0.1:1";

    private final Path dir;
    private final Xvfb display;
    private final Process process;

    private Obs(Path dir, Xvfb display, Process process) {
        this.dir = dir;
        this.display = display;
        this.process = process;
    }

    /** Fails, never skips, when OBS or Xvfb is missing. */
    public static void require() {
        if (Tools.find("obs") == null || Tools.find("Xvfb") == null) {
            throw new AssertionError("OBS Studio and Xvfb are not installed; run the tests with ./test.sh, which installs"
                    + " them (apt-get install --no-install-recommends obs-studio xvfb)");
        }
    }

    /** Writes the profile under {@code workDir} and starts OBS streaming with it. */
    public static Obs startStreaming(Path workDir, ObsProfile profile) throws IOException {
        require();
        Path dir = Files.createDirectories(workDir.toAbsolutePath());
        Path config = Files.createDirectories(dir.resolve("config"));
        Path home = Files.createDirectories(dir.resolve("home"));
        // Qt wants XDG_RUNTIME_DIR private to the user.
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        profile.writeTo(config);
        Xvfb display = Xvfb.start(dir.resolve("xvfb"));
        try {
            List<String> command = new ArrayList<>(List.of(Tools.find("obs").toString(),
                    "--multi", "--startstreaming", "--minimize-to-tray",
                    "--profile", ObsProfile.NAME, "--collection", ObsProfile.NAME));
            if (profile.trustedCa() != null) {
                command = trustingOnly(profile.trustedCa(), Files.createDirectories(dir.resolve("trusted-ca")), command);
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("obs-console.log").toFile());
            Map<String, String> env = builder.environment();
            env.put("HOME", home.toString());
            env.put("XDG_CONFIG_HOME", config.toString());
            env.put("XDG_RUNTIME_DIR", runtime.toString());
            env.put("DISPLAY", display.display());
            env.put("QT_QPA_PLATFORM", "xcb");
            env.put("LIBGL_ALWAYS_SOFTWARE", "1");
            for (String proxy : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
                env.put(proxy, NO_NETWORK);
            }
            env.remove("no_proxy");
            env.remove("NO_PROXY");
            Process process = builder.start();
            process.getOutputStream().close();
            return new Obs(dir, display, process);
        } catch (IOException | RuntimeException e) {
            display.close();
            throw e;
        }
    }

    /**
     * The command run in a new mount namespace (private propagation: unshare's default) where
     * {@code caDir}, holding only {@code ca}, is bind-mounted over /etc/ssl/certs; unshare and sh
     * exec, so the process is OBS itself. See {@link ObsProfile#trusting}.
     */
    private static List<String> trustingOnly(Path ca, Path caDir, List<String> command) throws IOException {
        if (Tools.find("unshare") == null || !"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("OBS trusting a test CA needs unshare and root (a mount namespace of its own);"
                    + " run the tests as CI does, as root");
        }
        Files.copy(ca, caDir.resolve("test-ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> wrapped = new ArrayList<>(List.of(Tools.find("unshare").toString(), "--mount", "sh", "-c",
                "mount --bind \"$0\" /etc/ssl/certs && exec \"$@\"", caDir.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** How many times OBS's RTMP output has connected and started publishing, by its log. */
    public long connections() {
        return logLines().stream().filter(l -> l.contains("[rtmp stream: ") && l.contains(CONNECTED) && l.endsWith(SUCCESSFUL)).count();
    }

    /** OBS's log of this run, or null before it has written one. */
    public Path log() {
        Path logs = dir.resolve("config/obs-studio/logs");
        if (!Files.isDirectory(logs)) {
            return null;
        }
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(p -> p.toString().endsWith(".txt")).max(Comparator.naturalOrder()).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> logLines() {
        Path log = log();
        try {
            return log == null ? List.of() : Files.readAllLines(log);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * For a failing test: whether OBS runs, and the lines of its log about the stream (output,
     * RTMP, encoders, errors), the last {@code lines} of them.
     */
    public String describe(int lines) {
        List<String> relevant = new ArrayList<>();
        for (String line : logLines()) {
            String l = line.toLowerCase();
            if (l.contains("rtmp") || l.contains("output") || l.contains("stream") || l.contains("encoder")
                    || l.contains("error") || l.contains("fail") || l.contains("opengl")) {
                relevant.add(line);
            }
        }
        String state = process.isAlive() ? "OBS running" : "OBS exited with " + process.exitValue();
        return state + ", log " + log() + ":\n" + String.join("\n", relevant.subList(Math.max(0, relevant.size() - lines), relevant.size()));
    }

    /**
     * Quits OBS the way a streamer does (SIGINT: OBS closes its main window, which with
     * ConfirmOnExit off stops the stream, its librtmp sending FCUnpublish and deleteStream, then
     * exits), and waits for it to be gone. Fails, with OBS's log, if it does not exit in time.
     * Returns its exit code, or {@link #HUNG} if it is still running after {@code atMost}:
     * {@link #failedToQuit} tells a crash or a hang on the way out from a quit.
     */
    public int quit(Duration atMost) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -INT " + process.pid() + " failed; " + describe(20));
            }
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                // Still running: the caller decides (close() kills it), as after a crash.
                System.out.println("Obs: did not quit within " + atMost.toSeconds() + " s of SIGINT; " + describe(20));
                return HUNG;
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Whether an exit code is OBS crashing (SIGSEGV, SIGABRT) rather than quitting. Debian's OBS 29
     * on Xvfb and llvmpipe now and then crashes while it shuts down, before its output has sent
     * FCUnpublish; for a relay that is a lost connection, not a streamer's stop.
     */
    public static boolean crashed(int exitCode) {
        return exitCode == 128 + 11 || exitCode == 128 + 6;
    }

    /**
     * What {@link #quit} returns when OBS is still running at its deadline: the same OBS on Xvfb
     * now and then hangs in its shutdown ("==== Shutting down" logged, its output never stopped,
     * so no FCUnpublish sent), which for a relay is no stop at all.
     */
    public static final int HUNG = -1;

    /** Whether {@link #quit} ended in anything but a quit: a crash on the way out, or a hang in it. */
    public static boolean failedToQuit(int exitCode) {
        return crashed(exitCode) || exitCode == HUNG;
    }

    /** Kills OBS (and anything it started) and its display; safe to call more than once. */
    @Override
    public void close() {
        try {
            ProcessTrees.kill(process.toHandle());
        } finally {
            display.close();
        }
    }
}
