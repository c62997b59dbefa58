package io.streamhelper.relay.testkit;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Virtual time for timers: tasks scheduled on it run only when the test moves the clock past
 * their due time, in due order (ties in the order they were scheduled), on the thread that calls
 * {@link #advance}. Tasks a running task schedules run in the same advance if they fall due
 * within it. A test that owns state confined to one event loop calls {@code advance} on that loop.
 */
public final class ManualScheduler {
    /** What {@link #schedule} returns: cancelling a task that ran or was cancelled does nothing. */
    public interface Handle {
        void cancel();
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long sequence;

    private final class Task implements Comparable<Task>, Handle {
        final long due;
        final long order;
        final Runnable body;

        Task(long due, long order, Runnable body) {
            this.due = due;
            this.order = order;
            this.body = body;
        }

        @Override
        public int compareTo(Task other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(order, other.order);
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                tasks.remove(this);
            }
        }
    }

    public synchronized Handle schedule(Duration delay, Runnable task) {
        Task t = new Task(now + Math.max(0, delay.toNanos()), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** The virtual time in nanoseconds; starts at 0 and moves only with {@link #advance}. */
    public synchronized long nanoTime() {
        return now;
    }

    /**
     * A wall clock in this virtual time: {@code start} at nanoTime 0, moving only with
     * {@link #advance}, for code that schedules on these timers and also asks the date.
     */
    public java.time.Clock clock(java.time.Instant start) {
        return new java.time.Clock() {
            @Override
            public java.time.Instant instant() {
                return start.plusNanos(nanoTime());
            }

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                throw new UnsupportedOperationException("virtual time is UTC");
            }
        };
    }

    /** Moves the clock forward, running every task that falls due on the way, each at its own time. */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = next.due;
            }
            next.body.run();
        }
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized int pending() {
        return tasks.size();
    }

    /** How long until the earliest pending task is due, or null when none is pending. */
    public synchronized Duration nextDueIn() {
        Task next = tasks.peek();
        return next == null ? null : Duration.ofNanos(next.due - now);
    }
}
