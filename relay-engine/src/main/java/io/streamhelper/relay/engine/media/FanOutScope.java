package io.streamhelper.relay.engine.media;

import io.netty.util.ReferenceCounted;

/**
 * Scratch space for one tag while it is handed to every destination: a protocol that would frame
 * the tag the same way for many destinations frames it once, keeps the bytes here, and gives each
 * destination a retained duplicate (nginx-rtmp shares one chunk chain between subscribers the
 * same way). Closing the scope, as soon as the fan-out loop is over, releases what it kept, so its
 * memory is bounded by one tag.
 *
 * <p>Confined to the publisher's event loop, like the fan-out itself; not thread-safe. It holds a
 * few framings at most: a destination whose framing differs from the rest (another chunk size, a
 * timestamp delta changed by dropped frames) frames the tag for itself, as it would anyway.
 */
public final class FanOutScope {
    static final int CAPACITY = 4;

    private final Object[] keys = new Object[CAPACITY];
    private final ReferenceCounted[] values = new ReferenceCounted[CAPACITY];
    private int size;
    private boolean closed;

    /** What was kept under {@code key}, not retained for the caller; null if nothing or if closed. */
    @SuppressWarnings("unchecked")
    public <T extends ReferenceCounted> T get(Object key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return (T) values[i];
            }
        }
        return null;
    }

    /** Whether {@link #put} would keep another value: false once closed (a tag replayed later from the GOP cache) or full. */
    public boolean hasRoom() {
        return !closed && size < CAPACITY;
    }

    /**
     * Keeps {@code value} under {@code key} until the scope closes, taking over the caller's
     * reference. Returns false, and leaves the reference with the caller, when there is no
     * {@linkplain #hasRoom room}.
     */
    public boolean put(Object key, ReferenceCounted value) {
        if (!hasRoom()) {
            return false;
        }
        keys[size] = key;
        values[size] = value;
        size++;
        return true;
    }

    /** The fan-out is over: release everything kept. Idempotent. */
    public void close() {
        closed = true;
        for (int i = 0; i < size; i++) {
            values[i].release();
            values[i] = null;
            keys[i] = null;
        }
        size = 0;
    }

    public boolean isClosed() {
        return closed;
    }
}
