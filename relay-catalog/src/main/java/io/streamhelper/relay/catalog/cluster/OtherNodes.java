package io.streamhelper.relay.catalog.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the other nodes of the service publish about the streams they relay (in their heartbeat,
 * at most a few seconds old): how every node's API answers for the whole service. Empty on a
 * single node ({@link #NONE}).
 */
public interface OtherNodes {
    /** A stream published without its owner (an older node): only admins see it in the stats. */
    long UNKNOWN_OWNER = -1;

    /**
     * A stream live on another node, as that node last published it.
     *
     * @param ownerId      the user owning it, so that the stats show it only to who may see it
     *                     ({@link #UNKNOWN_OWNER} when not published)
     * @param destinations each destination id's relay status as the owner reports it (wire names: live, connecting, ...)
     * @param report       the stream's entry as the owner's stats report shows it (JSON object text), for /api/v1/stats and /stat
     */
    record RemoteStream(String nodeId, String streamId, String state, Map<String, RemoteDestination> destinations,
                        String report, long ownerId) {
        public RemoteStream(String nodeId, String streamId, String state, Map<String, RemoteDestination> destinations,
                            String report) {
            this(nodeId, streamId, state, destinations, report, UNKNOWN_OWNER);
        }
    }

    /**
     * A destination's relay status as its owner published it (the fields of the API's RelayStatus).
     * The counters are 0 when the owner did not publish them.
     */
    record RemoteDestination(String status, Optional<String> lastError, Optional<String> since,
                             long bytesSent, double bitrateKbps, long reconnects) {
        public RemoteDestination(String status, Optional<String> lastError, Optional<String> since) {
            this(status, lastError, since, 0, 0, 0);
        }
    }

    /** Another alive node and what it published. */
    record Node(String nodeId, long heartbeatAgeMillis, List<RemoteStream> streams) {
    }

    /** The stream, if another alive node says it relays it. */
    Optional<RemoteStream> stream(String streamId);

    /** Every other alive node (this one left out). */
    List<Node> nodes();

    OtherNodes NONE = new OtherNodes() {
        @Override
        public Optional<RemoteStream> stream(String streamId) {
            return Optional.empty();
        }

        @Override
        public List<Node> nodes() {
            return List.of();
        }
    };
}
