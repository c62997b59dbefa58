package io.streamhelper.relay.core.stream;

/**
 * Turns a growing byte counter into a bitrate, sampled when asked: the rate over the time since
 * the previous sample, once at least a second has passed, else the last rate. Readers (stats,
 * API) call it from any thread; the media path never touches it.
 */
public final class RateMeter {
    private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private long lastBytes;
    private long lastNanos = System.nanoTime();
    private double kbps;

    public synchronized double kbps(long totalBytes) {
        long now = System.nanoTime();
        long elapsed = now - lastNanos;
        if (elapsed >= MIN_INTERVAL_NANOS) {
            kbps = (totalBytes - lastBytes) * 8.0 / 1000.0 / (elapsed / 1e9);
            lastBytes = totalBytes;
            lastNanos = now;
        }
        return kbps;
    }
}
