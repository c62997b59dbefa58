package io.streamhelper.relay.engine.destination;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Where a destination's timers run and what time it is for them: the supervisor's backoff,
 * stall, refusal retry and stable-reset timers and the RTMP client's publish timeout,
 * acknowledgement check, goodbye and close watch. In the server, {@link #on} runs them on the
 * stream's event loop with the system's monotonic clock; tests pass virtual time instead, so timer
 * paths are tested without waiting.
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
