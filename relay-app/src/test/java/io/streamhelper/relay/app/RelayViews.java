package io.streamhelper.relay.app;

import io.streamhelper.relay.core.destination.DestinationRelay;
import io.streamhelper.relay.core.destination.DestinationState;
import io.streamhelper.relay.core.stream.LiveStream;
import java.util.stream.Collectors;

/** What the relay says of a live stream's destinations, for tests and for their failure messages. */
final class RelayViews {
    private RelayViews() {
    }

    static DestinationRelay relayOf(LiveStream stream, String id) {
        return stream.relays().stream().filter(r -> r.target().id().equals(id)).findFirst().orElseThrow();
    }

    /** Whether every destination of the stream is live. */
    static boolean allLive(LiveStream stream) {
        return stream.relays().stream().allMatch(r -> r.state() == DestinationState.LIVE);
    }

    /**
     * One line for every destination: state, since, reconnects, whether a connection is open, what
     * it sent and dropped, and the last error (the relay redacts it). One line, so that it shows in
     * Maven's summary of failures, which is all of a failed run that CI's tail may show.
     */
    static String describe(LiveStream stream) {
        return stream.relays().stream().map(RelayViews::describe).collect(Collectors.joining("; "));
    }

    static String describe(DestinationRelay r) {
        return r.target().id() + " " + r.state() + " since " + r.since() + " reconnects=" + r.reconnects()
                + " link=" + (r.hasOpenLink() ? "open" : "none") + " framesSent=" + r.framesSent()
                + " framesDropped=" + r.framesDropped() + " bytesSent=" + r.bytesSent() + " lastError=" + r.lastError();
    }
}
