package io.streamhelper.relay.engine.destination;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where a destination's timers run and what time it is for them: the supervisor's backoff,
 * stall, refusal retry and stable-reset timers and the RTMP client's publish timeout,
 * acknowledgement check, goodbye and close watch. In the server, {@link #on} runs them on the
 * stream's event loop with the system's monotonic clock; tests pass virtual time instead, so timer
 * paths are tested without waiting, through {@link #of}.
 */
public interface Timers {
    /** Runs the task once after the delay, on the thread that owns the state it touches. */
    Cancellable after(Duration delay, Runnable task);

    /** Monotonic time in nanoseconds, for measuring how long something lasted. */
    long nanoTime();

    /** A scheduled task; cancelling one that ran or was cancelled does nothing. */
    interface Cancellable {
        void cancel();
    }

    /** Schedules a task once; the shape of {@link #after}, so a method reference or lambda fits. */
    @FunctionalInterface
    interface Scheduler {
        Cancellable after(Duration delay, Runnable task);
    }

    /**
     * Timers from any clock: how tests plug in virtual time (relay-testkit's ManualScheduler,
     * which cannot name this type since it is built first) without writing the adapter out again:
     * {@code Timers.of((d, t) -> clock.schedule(d, t)::cancel, clock::nanoTime)}. The scheduler's
     * tasks must run where {@link #after}'s callers expect them, as {@link #on} guarantees for the
     * server.
     */
    static Timers of(Scheduler scheduler, LongSupplier nanoClock) {
        return new Timers() {
            @Override
            public Cancellable after(Duration delay, Runnable task) {
                return scheduler.after(delay, task);
            }

            @Override
            public long nanoTime() {
                return nanoClock.getAsLong();
            }
        };
    }

    /** Timers on a Netty executor (the stream's event loop), timed by {@link System#nanoTime()}. */
    static Timers on(EventExecutor executor) {
        return new Timers() {
            @Override
            public Cancellable after(Duration delay, Runnable task) {
                ScheduledFuture<?> future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
    }
}
