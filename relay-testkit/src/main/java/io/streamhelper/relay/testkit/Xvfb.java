package io.streamhelper.relay.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A virtual X display (Xvfb) for a GUI peer such as OBS Studio. Xvfb picks a free display number
 * itself ({@code -displayfd}) and writes it once it accepts clients, so parallel test JVMs never
 * race for one. Software rendering (Mesa llvmpipe) needs nothing else.
 */
final class Xvfb implements AutoCloseable {
    private final Process process;
    private final int display;

    private Xvfb(Process process, int display) {
        this.process = process;
        this.display = display;
    }

    /** Starts Xvfb with its log and display file under {@code dir}; returns once it serves the display. */
    static Xvfb start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path displayFile = dir.resolve("display");
        Files.deleteIfExists(displayFile);
        // exec: the process the test holds is Xvfb itself, so killing it leaves nothing behind.
        Process process = new ProcessBuilder("sh", "-c",
                "exec Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>\"$0\"", displayFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("xvfb.log").toFile())
                .start();
        process.getOutputStream().close();
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Xvfb exited with " + process.exitValue() + ": "
                            + Files.readString(dir.resolve("xvfb.log")));
                }
                // The number and a newline are written when the display is ready.
                return Files.exists(displayFile) && Files.readString(displayFile).endsWith("\n");
            });
            return new Xvfb(process, Integer.parseInt(Files.readString(displayFile).trim()));
        } catch (RuntimeException e) {
            ProcessTrees.kill(process.toHandle());
            throw e;
        }
    }

    /** The value for DISPLAY, e.g. {@code :3}. */
    String display() {
        return ":" + display;
    }

    @Override
    public void close() {
        ProcessTrees.terminate(process.toHandle(), 5);
    }
}
