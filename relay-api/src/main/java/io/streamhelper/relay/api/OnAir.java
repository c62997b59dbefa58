package io.streamhelper.relay.api;

import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Duration;
import java.time.Instant;

/**
 * A stream's live status as every part of the API shows it (the stream resource, the stats, the
 * health check), decided in one place. A reconnecting stream is still on air: its destinations
 * stay connected and published while the relay waits for the encoder, so {@link #onAir} is true
 * for it and only {@link #state} tells the two apart.
 *
 * @param state       {@code offline}, {@code live} or {@code reconnecting}
 * @param graceEndsAt when the relay stops waiting for the encoder; null unless reconnecting
 */
record OnAir(String state, Instant graceEndsAt) {
    static final String OFFLINE = "offline";
    static final String LIVE = StreamState.LIVE.wireName();
    static final String RECONNECTING = StreamState.RECONNECTING.wireName();

    /** The status of a stream the registry lists, or of none ({@code null}: not live). */
    static OnAir of(LiveStream stream) {
        if (stream == null) {
            return new OnAir(OFFLINE, null);
        }
        StreamState state = stream.state();
        if (state == StreamState.RECONNECTING) {
            Instant ends = stream.graceEndsAt();
            // Null here means the stream left the grace between the two reads: a publisher came
            // back (live) or the grace ran out (the stream is about to leave the registry).
            return ends == null ? new OnAir(LIVE, null) : new OnAir(RECONNECTING, ends);
        }
        return new OnAir(state == StreamState.LIVE ? LIVE : OFFLINE, null);
    }

    /**
     * A stream another node relays, as it published it: {@code reconnecting} with the grace end it
     * published, else live (it is listed only while on air there).
     */
    static OnAir of(OtherNodes.RemoteStream remote) {
        if (RECONNECTING.equals(remote.state())) {
            return new OnAir(RECONNECTING, RemoteReport.instant(remote, "graceEndsAt"));
        }
        return new OnAir(LIVE, null);
    }

    boolean onAir() {
        return !state.equals(OFFLINE);
    }

    boolean reconnecting() {
        return state.equals(RECONNECTING);
    }

    /** The grace end as an ISO instant, or null. */
    String graceEndsAtText() {
        return graceEndsAt == null ? null : graceEndsAt.toString();
    }

    /** Whole seconds until the grace ends, rounded up (a countdown never shows 0 while waiting), or null. */
    Long graceSecondsLeft(Instant now) {
        if (graceEndsAt == null) {
            return null;
        }
        Duration left = Duration.between(now, graceEndsAt);
        if (left.isNegative() || left.isZero()) {
            return 0L;
        }
        return left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
    }
}
