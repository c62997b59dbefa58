package io.streamhelper.relay.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A probe that answers within {@code limit} however long the thing probed takes: a database that
 * is gone makes a connection checkout wait its full timeout (5 s), and a health check that hangs
 * that long is seen by a load balancer or Docker as a timeout, not as the 503 that says why. The
 * probe runs on a thread of its own; a caller waits for it at most {@code limit}, and one still
 * running past that counts as {@code false}. Callers meanwhile share the probe in flight instead
 * of starting more.
 */
final class BoundedProbe implements BooleanSupplier, AutoCloseable {
    /**
     * Under the 1 s a Kubernetes probe waits by default; a {@code SELECT 1} on a database that is
     * there takes milliseconds, so a check slower than this says it is not (or is swamped).
     */
    static final Duration LIMIT = Duration.ofMillis(750);

    private final BooleanSupplier probe;
    private final Duration limit;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "health-probe");
        thread.setDaemon(true);
        return thread;
    });
    private CompletableFuture<Boolean> inFlight; // guarded by this

    BoundedProbe(BooleanSupplier probe, Duration limit) {
        this.probe = probe;
        this.limit = limit;
    }

    @Override
    public boolean getAsBoolean() {
        CompletableFuture<Boolean> running;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(probe::getAsBoolean, runner);
            }
            running = inFlight;
        }
        try {
            return running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            return false;
        } catch (ExecutionException failed) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
