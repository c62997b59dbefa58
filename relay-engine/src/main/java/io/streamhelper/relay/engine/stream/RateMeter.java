package io.streamhelper.relay.engine.stream;

/**
 * Turns a growing counter (bytes, frames) into a rate, sampled when asked: the rate over the time
 * since the previous sample, once at least a second has passed, else the last rate. Readers
 * (stats, API) call it from any thread; the media path only increments the counter it is given.
 */
public final class RateMeter {
    private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private long lastTotal;
    private long lastNanos = System.nanoTime();
    private double perSecond;

    /** Units per second of a counter that only grows. */
    public synchronized double perSecond(long total) {
        long now = System.nanoTime();
        long elapsed = now - lastNanos;
        if (elapsed >= MIN_INTERVAL_NANOS) {
            perSecond = (total - lastTotal) / (elapsed / 1e9);
            lastTotal = total;
            lastNanos = now;
        }
        return perSecond;
    }

    /** Kilobits per second of a byte counter. */
    public double kbps(long totalBytes) {
        return perSecond(totalBytes) * 8.0 / 1000.0;
    }
}
