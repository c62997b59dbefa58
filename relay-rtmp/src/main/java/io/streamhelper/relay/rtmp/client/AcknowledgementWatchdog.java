package io.streamhelper.relay.rtmp.client;

import java.time.Duration;

/**
 * Notices a destination that stopped reading while our socket still takes bytes: the case the
 * outgoing-buffer stall check cannot see, because nothing backs up on our side (a peer whose
 * kernel still buffers, a middlebox that swallows the connection, a transport that lost track of
 * the socket). The destination is told our Window Acknowledgement Size at connect; a live RTMP
 * server then acknowledges every window it reads. Once a destination has acknowledged twice, the
 * largest number of bytes we sent between two of its acknowledgements is its rhythm; sending three
 * times that (and at least three windows) with no acknowledgement for {@link #SILENCE} means it
 * stopped reading.
 *
 * <p>Only the arrival of acknowledgements is used, never their values: they wrap at 2^32 and some
 * servers send fixed increments. A destination that never acknowledges is never judged by this:
 * the stall check still covers it. One event loop calls it; the count may be read from anywhere.
 */
final class AcknowledgementWatchdog {
    /** What we ask the destination to acknowledge: about a second of a 6 Mbit/s stream. */
    static final int WINDOW = 1_000_000;
    /** How long a destination that has been acknowledging may fall silent while we send. */
    static final Duration SILENCE = Duration.ofSeconds(5);

    private volatile long acknowledgements;
    private long sentAtLastAcknowledgement;
    private long lastAcknowledgementNanos;
    private long widestGap = WINDOW;

    /** An acknowledgement arrived when we had sent {@code sent} bytes. */
    void acknowledged(long sent, long nowNanos) {
        if (acknowledgements > 0) {
            widestGap = Math.max(widestGap, sent - sentAtLastAcknowledgement);
        }
        acknowledgements++;
        sentAtLastAcknowledgement = sent;
        lastAcknowledgementNanos = nowNanos;
    }

    long acknowledgements() {
        return acknowledgements;
    }

    /** Whether {@code sent} is past three of the destination's rhythms since its last acknowledgement. */
    boolean beyondRhythm(long sent) {
        return acknowledgements >= 2 && sent - sentAtLastAcknowledgement > 3 * widestGap;
    }

    /** Why the destination counts as no longer reading, or null while it is (or never acknowledged). */
    String verdict(long sent, long nowNanos) {
        if (acknowledgements < 2) {
            return null;
        }
        long unacknowledged = sent - sentAtLastAcknowledgement;
        long silentNanos = nowNanos - lastAcknowledgementNanos;
        if (!beyondRhythm(sent) || silentNanos <= SILENCE.toNanos()) {
            return null;
        }
        return "destination stopped acknowledging: " + unacknowledged + " bytes sent since its last acknowledgement "
                + Duration.ofNanos(silentNanos).toMillis() / 1000 + " s ago (it acknowledged every "
                + widestGap + " bytes or fewer before)";
    }
}
