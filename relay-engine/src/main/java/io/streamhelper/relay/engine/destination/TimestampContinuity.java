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

    /** Where the current session starts: sequence headers and metadata are stamped with it. */
    long sessionStart() {
        return inSession ? sessionOutBase : maxOut + 1;
    }
}
