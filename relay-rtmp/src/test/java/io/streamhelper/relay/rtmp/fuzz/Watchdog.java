package io.streamhelper.relay.rtmp.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Hang detection for the fuzz targets. libFuzzer's own per-input timeout is only reachable
 * through JUnit's @Timeout, which jazzer-junit also applies to the whole fuzzing run; so each
 * input runs under this watchdog instead: an input still running after {@link #LIMIT_SECONDS}
 * is written to target/fuzz-hangs/, the stuck thread's stack is printed, and the JVM halts,
 * which fails the build (surefire reports the crashed fork).
 */
final class Watchdog {
    static final long LIMIT_SECONDS = 10;
    private static volatile long startedAt;
    private static volatile byte[] current;
    private static volatile Thread runner;

    static {
        Thread t = new Thread(Watchdog::watch, "fuzz-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private Watchdog() {
    }

    /** Runs one input's work; not reentrant (jazzer runs inputs one after another). */
    static void guard(byte[] input, Runnable work) {
        current = input;
        runner = Thread.currentThread();
        startedAt = System.nanoTime();
        try {
            work.run();
        } finally {
            current = null;
        }
    }

    private static void watch() {
        while (true) {
            try {
                TimeUnit.SECONDS.sleep(1); // a polling interval, not a wait for an event
            } catch (InterruptedException e) {
                return;
            }
            byte[] input = current;
            if (input != null && System.nanoTime() - startedAt > TimeUnit.SECONDS.toNanos(LIMIT_SECONDS)) {
                hang(input);
            }
        }
    }

    private static void hang(byte[] input) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-hangs"));
            Path file = Files.write(dir.resolve("hang-" + Integer.toHexString(java.util.Arrays.hashCode(input))), input);
            System.err.println("FUZZ HANG: an input ran for more than " + LIMIT_SECONDS + " s; saved as " + file.toAbsolutePath());
        } catch (IOException e) {
            System.err.println("FUZZ HANG: could not save the input: " + e);
        }
        Thread stuck = runner;
        if (stuck != null) {
            for (StackTraceElement frame : stuck.getStackTrace()) {
                System.err.println("\tat " + frame);
            }
        }
        Runtime.getRuntime().halt(70);
    }
}
