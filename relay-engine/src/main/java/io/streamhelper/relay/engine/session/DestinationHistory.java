package io.streamhelper.relay.engine.session;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * One destination's part of a session, written by its relay (every relay to this destination id
 * during the session: one replaced after an edit continues the same history). On the stream's
 * event loop only; each change publishes a new {@link Snapshot} through the recorder, which is
 * what threads other than the loop read.
 */
public final class DestinationHistory {
    private final SessionRecorder session;
    private final String id;
    private final String name;
    private final String platform;
    private final String host;
    private final TransitionLog transitions = new TransitionLog();
    private long liveNanos;
    /** When it went live, while it is; -1 otherwise. */
    private long liveSinceNanos = -1;
    /** What the relays stopped so far counted; the running one's counts are read from it. */
    private long bytesSent;
    private long framesSent;
    private long framesDropped;
    private long reconnects;
    /** The relay to this destination now, until it stops; null between relays. */
    private RelayCounts running;
    /** The last one published, rebuilt at each change. */
    private Snapshot snapshot;

    /**
     * What a relay counts while it runs, read from any thread: the relay's own volatile counters.
     * Its totals are added to the history when it stops ({@link #relayStopped}).
     */
    public interface RelayCounts {
        long bytesSent();

        long framesSent();

        long framesDropped();

        long reconnects();
    }

    DestinationHistory(SessionRecorder session, String id, String name, String platform, String url) {
        this.session = session;
        this.id = id;
        this.name = name;
        this.platform = platform;
        this.host = hostOf(url);
        this.snapshot = snapshotNow();
    }

    /**
     * The host only: a URL's path can carry a key (some platforms put it there), its host cannot
     * be made to, and it is what tells a streamer which server it was.
     */
    static String hostOf(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "" : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException notAUri) {
            return "";
        }
    }

    /** A relay to this destination began: until it stops, what it counts is read from it. */
    public void relayStarted(RelayCounts relay) {
        running = relay;
        changed();
    }

    /** The relay changed state ({@code live}, {@code retrying}, ...); {@code error} is already redacted, or null. */
    public void moved(String state, String error) {
        long now = session.nanoTime();
        if (liveSinceNanos >= 0) {
            liveNanos += now - liveSinceNanos;
            liveSinceNanos = -1;
        }
        if ("live".equals(state)) {
            liveSinceNanos = now;
        }
        transitions.add(new SessionReport.Transition(session.wallTime(now), state, error));
        changed();
    }

    /**
     * A relay to this destination stopped: what it counted is added (a replacing relay counts
     * from zero), in the same snapshot that stops reading it, so no reader counts it twice.
     */
    public void relayStopped(RelayCounts relay) {
        bytesSent += relay.bytesSent();
        framesSent += relay.framesSent();
        framesDropped += relay.framesDropped();
        reconnects += relay.reconnects();
        if (running == relay) {
            running = null;
        }
        changed();
    }

    private void changed() {
        snapshot = snapshotNow();
        session.published();
    }

    private Snapshot snapshotNow() {
        return new Snapshot(id, name, platform, host, liveNanos, liveSinceNanos, bytesSent, framesSent, framesDropped,
                reconnects, running, transitions.kept(), transitions.omitted());
    }

    Snapshot snapshot() {
        return snapshot;
    }

    String id() {
        return id;
    }

    /**
     * The history as of its last change, safe to read from any thread: immutable, but for the
     * running relay, whose counters are read when {@link #at} is asked (they only grow).
     */
    record Snapshot(String id, String name, String platform, String host, long liveNanos, long liveSinceNanos,
            long bytesSent, long framesSent, long framesDropped, long reconnects, RelayCounts running,
            List<SessionReport.Transition> transitions, long transitionsOmitted) {
        Snapshot {
            transitions = List.copyOf(transitions);
        }

        /** The destination's part of the session so far, its live time counted up to {@code nowNanos}. */
        SessionReport.Destination at(long nowNanos) {
            long live = liveNanos + (liveSinceNanos >= 0 ? Math.max(0, nowNanos - liveSinceNanos) : 0);
            RelayCounts r = running;
            return new SessionReport.Destination(id, name, platform, host, live / 1_000_000,
                    bytesSent + (r == null ? 0 : r.bytesSent()), framesSent + (r == null ? 0 : r.framesSent()),
                    framesDropped + (r == null ? 0 : r.framesDropped()), reconnects + (r == null ? 0 : r.reconnects()),
                    transitions, transitionsOmitted);
        }
    }
}
