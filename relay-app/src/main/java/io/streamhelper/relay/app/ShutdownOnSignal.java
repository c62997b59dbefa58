package io.streamhelper.relay.app;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM (docker stop) and SIGINT (Ctrl-C) stop the relay in phases and exit 0; if that takes
 * longer than 8 s (Docker kills at 10 s), the process halts with exit 1. A JVM shutdown hook
 * would exit with 143 instead, which supervisors read as a crash; hence the signal handlers.
 */
final class ShutdownOnSignal {
    private static final Logger log = LoggerFactory.getLogger(ShutdownOnSignal.class);
    static final long HARD_DEADLINE_MS = 8_000;

    private ShutdownOnSignal() {
    }

    static void install(RelayServer server) {
        AtomicBoolean started = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (!started.compareAndSet(false, true)) {
                    return;
                }
                log.info("event=shutdown phase=signal signal={}", signal.getName());
                Thread watchdog = new Thread(() -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(HARD_DEADLINE_MS);
                        log.error("event=shutdown phase=deadline_exceeded deadline_ms={}", HARD_DEADLINE_MS);
                        Runtime.getRuntime().halt(1);
                    } catch (InterruptedException done) {
                        Thread.currentThread().interrupt();
                    }
                }, "shutdown-deadline");
                watchdog.setDaemon(true);
                watchdog.start();
                new Thread(() -> {
                    server.close();
                    System.exit(0);
                }, "shutdown").start();
            });
        }
    }
}
