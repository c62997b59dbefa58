package io.streamhelper.relay.cluster;

import io.streamhelper.relay.engine.destination.Timers;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The cluster's own threads in the server: named, daemon, one each; tests inject their own. */
final class ClusterThreads {
    private ClusterThreads() {
    }

    static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(r -> thread(r, name));
    }

    static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> thread(r, name));
    }

    /** Timers on a scheduler thread, timed by {@link System#nanoTime()}. */
    static Timers on(ScheduledExecutorService scheduler) {
        return new Timers() {
            @Override
            public Cancellable after(java.time.Duration delay, Runnable task) {
                ScheduledFuture<?> future = scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
    }

    /**
     * Stops a thread of ours, letting its current task finish (bounded). A scheduler's timers
     * still to come are dropped: they only decide what to do next.
     */
    static void stop(ExecutorService executor) {
        if (executor instanceof ScheduledExecutorService) {
            executor.shutdownNow();
        } else {
            executor.shutdown();
        }
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
