package io.streamhelper.relay.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * One message between nodes on the bus. It names a stream and what happened to it, never a key
 * or a URL: the node that acts on it reads the stored state from the database.
 *
 * @param kind     what happened
 * @param streamId the stream it happened to
 * @param from     the node that sent it (a node ignores its own notices)
 * @param to       for {@link Kind#RELEASE} (and its answer, and RELEASE_IF_UNUSED): the node addressed; empty for broadcasts
 */
public record ClusterNotice(Kind kind, long streamId, String from, Optional<String> to) {
    public enum Kind {
        /** A destination of the stream was added, changed or removed: the owner re-reads them. */
        DESTINATIONS_CHANGED,
        /** The stream was deleted: the owner ends it. */
        STREAM_DELETED,
        /** The ingest key was replaced: the owner ends it if it waits in its reconnect grace. */
        KEY_ROTATED,
        /** Another node has the stream's encoder: the owner lets go if the stream is reconnecting (or silent). */
        RELEASE,
        /** The owner let the stream go after a RELEASE: the asking node may claim it now. */
        RELEASED,
        /**
         * A claim found the stream live on the addressee and was refused: a lease row there with
         * no stream on it (left behind) goes; a stream there, live or in its grace, stays. No
         * answer. Not a RELEASE, which would end a stream in its grace for a refused publisher.
         */
        RELEASE_IF_UNUSED
    }

    public ClusterNotice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    public static ClusterNotice broadcast(Kind kind, long streamId, String from) {
        return new ClusterNotice(kind, streamId, from, Optional.empty());
    }

    public static ClusterNotice to(String node, Kind kind, long streamId, String from) {
        return new ClusterNotice(kind, streamId, from, Optional.of(node));
    }
}
