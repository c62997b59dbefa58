package io.streamhelper.relay.rtmp.chunk;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget for bytes held in messages still being assembled, shared by every
 * ingest connection's {@link ChunkDecoder}: one atomic counter, reserved as a partial message's
 * buffer grows and given back when that buffer is completed, aborted or released with its
 * connection. A reservation that would pass the budget is refused and that one connection closes;
 * the others keep what they hold.
 *
 * <p>Per-connection caps come first ({@link MessageBufferLimits}), so a connection that has not
 * published holds at most a few KiB of it; what the budget guards against is many publishing
 * connections at once, each under its own cap.
 */
public final class MessageBufferBudget {
    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    public MessageBufferBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("buffer budget must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** A budget no real server reaches: for decoders not on the ingest (the destination client). */
    public static MessageBufferBudget unlimited() {
        return new MessageBufferBudget(Long.MAX_VALUE);
    }

    public long limit() {
        return limit;
    }

    /** Bytes reserved right now, over every connection. */
    public long reserved() {
        return reserved.get();
    }

    /** Reserves {@code bytes}, or reserves nothing and returns false when that would pass the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > limit) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }
}
