package io.streamhelper.relay.engine.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What happened during one broadcast of one stream, from its first publish until it ended
 * (publisher reconnects within the grace included): immutable, handed to the registry's listener
 * when the stream ends. Names no key and no URL path (which may carry one): a destination is its
 * id, name, platform and host only, and its errors are the redacted text {@code lastError} shows.
 */
public record SessionReport(String streamId, Instant startedAt, Instant endedAt, EndReason endReason, long bytesIn,
        long videoFrames, long publisherReconnects, List<Destination> destinations) {
    public SessionReport {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(endReason, "endReason");
        destinations = List.copyOf(destinations);
    }

    /**
     * One destination over the session (one that was added or removed midway too).
     *
     * @param transitions the states it went through, bounded: the first and the last ones, with
     *                    {@code transitionsOmitted} counting those left out between them
     */
    public record Destination(String id, String name, String platform, String host, long liveMillis, long bytesSent,
            long framesSent, long framesDropped, long reconnects, List<Transition> transitions, long transitionsOmitted) {
        public Destination {
            transitions = List.copyOf(transitions);
        }
    }

    /** The destination entered {@code state} ({@code live}, {@code retrying}, ...) at {@code at}; error null if none. */
    public record Transition(Instant at, String state, String error) {
    }
}
