package io.streamhelper.relay.engine.stream;

/**
 * The one place each publisher's timestamps are mapped onto the stream's own timeline, which is
 * what every destination is fed. The first publisher's timestamps pass unchanged. A publisher
 * that continues the stream after a gap (reconnected within the grace, or took it over) starts
 * again wherever its encoder starts, usually 0: its first tag is placed the gap's real length
 * after the last tag out, and the rest follow at the publisher's own pace, so the platforms see
 * time keep pace with the wall clock and never go back. Each publisher's 32-bit wrap-around is
 * followed by extending its timestamps with signed deltas; what comes out wraps at 32 bits again,
 * as RTMP timestamps do, and each destination's own {@code TimestampContinuity} follows that.
 * Touched only on the stream's executor.
 */
final class StreamTimeline {
    /** No tag out yet. */
    private static final long NONE = Long.MIN_VALUE;

    /** The current publisher has sent its first tag (the segment's bases are set). */
    private boolean inSegment;
    /** The first segment passes timestamps through untouched (today's behaviour, and grace 0's). */
    private boolean continued;
    private long inBase;
    private long outBase;
    private long lastIn;
    private long extendedIn;
    /** The highest timestamp out so far, extended (not wrapped). */
    private long maxOut = NONE;

    /** The next tag comes from a publisher continuing the stream after a gap. */
    void newPublisher() {
        inSegment = false;
        continued = true;
    }

    /** Whether the next tag opens a continuing publisher's segment: only then is its gap asked for. */
    boolean opensContinuedSegment() {
        return continued && !inSegment;
    }

    /**
     * The stream timeline's timestamp for this publisher timestamp (RTMP's unsigned 32 bits).
     * {@code gapMillis}, the real time since the last tag out, counts only for the first tag of a
     * continuing publisher (at least 1 ms, so time always moves on).
     */
    long map(long in, long gapMillis) {
        if (!inSegment) {
            inSegment = true;
            lastIn = in;
            extendedIn = in;
            inBase = in;
            outBase = !continued || maxOut == NONE ? in : maxOut + Math.max(1, gapMillis);
        } else {
            extendedIn += (int) (in - lastIn);
            lastIn = in;
        }
        long out = outBase + extendedIn - inBase;
        if (continued) {
            // A continuing publisher's tag a little behind its first (audio before video) must
            // not reach back into the previous publisher's time.
            out = Math.max(outBase, out);
        }
        maxOut = maxOut == NONE ? out : Math.max(maxOut, out);
        return out & 0xFFFFFFFFL;
    }
}
