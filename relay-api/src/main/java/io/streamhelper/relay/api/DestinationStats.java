package io.streamhelper.relay.api;

import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import java.net.URI;

/**
 * One destination of a live stream in the stats. It names the destination's host and never its
 * URL: some platforms put the key in the URL's path or query, and the key itself stays in the
 * {@link DestinationTarget}. {@code lastError} comes already redacted from the relay.
 * {@code videoTrack}/{@code audioTrack}: the tracks of a multitrack publish it is sent.
 */
record DestinationStats(
        String id,
        String platform,
        String displayName,
        String host,
        String state,
        String since,
        long bitrateKbps,
        long bytesSent,
        long framesSent,
        long framesDropped,
        long reconnects,
        String lastError,
        int videoTrack,
        int audioTrack) {

    static DestinationStats of(DestinationRelay relay) {
        DestinationTarget target = relay.target();
        return new DestinationStats(
                target.id(),
                target.platform(),
                target.displayName(),
                hostOf(target.url()),
                relay.state().wireName(),
                relay.since().toString(),
                Math.round(relay.bitrateKbps()),
                relay.bytesSent(),
                relay.framesSent(),
                relay.framesDropped(),
                relay.reconnects(),
                relay.lastError(),
                target.tracks().videoTrack(),
                target.tracks().audioTrack());
    }

    /** Only the host name ("a.rtmps.youtube.com"): no user info, port, path or query. */
    static String hostOf(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException notAUri) {
            return null;
        }
    }
}
