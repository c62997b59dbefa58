package io.streamhelper.relay.engine.destination;

/**
 * Maps the publisher's timestamps onto one destination's timeline. Each connection session starts
 * where the previous one ended (plus one millisecond), so the destination sees monotonic,
 * continuous time across reconnects, whatever the publisher's clock was when it joined; the
 * publisher's 32-bit wrap-around is followed by extending its timestamps with signed deltas.
 */
final class TimestampContinuity {
    private boolean inSession;
    private long sessionInBase;
    private long sessionOutBase;
    private long lastIn;
    private long extendedIn;
    private long maxOut = -1;

    /** The next mapped timestamp starts a new session on this timeline. */
    void newSession() {
        inSession = false;
    }

    long map(long in) {
        if (!inSession) {
            inSession = true;
            lastIn = in;
            extendedIn = in;
            sessionInBase = in;
            sessionOutBase = maxOut + 1;
            maxOut = sessionOutBase;
            return sessionOutBase;
        }
        extendedIn += (int) (in - lastIn);
        lastIn = in;
        long out = Math.max(sessionOutBase, sessionOutBase + extendedIn - sessionInBase);
        maxOut = Math.max(maxOut, out);
        return out;
    }

    /** Where the current session starts (or the next one will). */
    long sessionStart() {
        return inSession ? sessionOutBase : maxOut + 1;
    }

    /**
     * The timestamp for metadata and sequence headers: where the session starts when they open
     * it (a join), and the latest time sent when they come in the middle of it (a publisher that
     * continued the stream sends its own again, a stall restarts the picture). Stamped with the
     * session's start there, they would take the destination back by the whole session.
     */
    long headerTime() {
        return inSession ? maxOut : maxOut + 1;
    }
}
