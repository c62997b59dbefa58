package io.streamhelper.relay.app;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server start has opened so far (lock, database, event loops, listeners), so that a start
 * that fails part-way closes each of them, last opened first, instead of leaving a port bound,
 * non-daemon threads running or the data directory locked. Used by one thread, the starting one.
 */
final class OpenedResources {
    private static final Logger log = LoggerFactory.getLogger(OpenedResources.class);

    private record Opened(String what, Runnable closer) {
    }

    private final Deque<Opened> opened = new ArrayDeque<>();

    /** Registers {@code closer} for {@code what}, which has just been opened. */
    void add(String what, Runnable closer) {
        opened.push(new Opened(what, closer));
    }

    /**
     * Closes everything, in reverse order. Each closer runs even when one before it fails; those
     * failures go onto {@code cause} as suppressed, so the reason the start failed stays the one reported.
     */
    void closeAll(Throwable cause) {
        while (!opened.isEmpty()) {
            Opened next = opened.pop();
            try {
                next.closer().run();
            } catch (RuntimeException | Error e) {
                log.warn("event=startup_cleanup_failed resource=\"{}\" error=\"{}\"", next.what(), e.toString());
                cause.addSuppressed(e);
            }
        }
    }
}
