package io.streamhelper.relay.engine.session;

import java.net.URI;
import java.util.Locale;

/**
 * One destination's part of a session, written by its relay (every relay to this destination id
 * during the session: one replaced after an edit continues the same history). On the stream's
 * event loop only.
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
    private long bytesSent;
    private long framesSent;
    private long framesDropped;
    private long reconnects;

    DestinationHistory(SessionRecorder session, String id, String name, String platform, String url) {
        this.session = session;
        this.id = id;
        this.name = name;
        this.platform = platform;
        this.host = hostOf(url);
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
    }

    /** A relay to this destination stopped: what it counted is added (a replacing relay counts from zero). */
    public void relayStopped(long bytes, long sent, long dropped, long reconnected) {
        bytesSent += bytes;
        framesSent += sent;
        framesDropped += dropped;
        reconnects += reconnected;
    }

    SessionReport.Destination report(long nowNanos) {
        long live = liveNanos + (liveSinceNanos >= 0 ? nowNanos - liveSinceNanos : 0);
        return new SessionReport.Destination(id, name, platform, host, live / 1_000_000, bytesSent, framesSent,
                framesDropped, reconnects, transitions.kept(), transitions.omitted());
    }

    String id() {
        return id;
    }
}
