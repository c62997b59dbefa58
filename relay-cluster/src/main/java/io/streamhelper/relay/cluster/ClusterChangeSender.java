package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.cluster.ClusterChanges;
import java.util.Objects;

/**
 * The catalog's services' changes as broadcasts on the bus, signed with this node's id so that
 * this node's own {@link ClusterChangeApplier} skips them (it acted on them already, before
 * sending). Each call sends at once, on the caller's thread (an HTTP thread, after the change was
 * committed): the node holding the stream hears it before the API has answered.
 */
public final class ClusterChangeSender implements ClusterChanges {
    private final ClusterBus bus;
    private final String nodeId;

    public ClusterChangeSender(ClusterBus bus, String nodeId) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    @Override
    public void destinationsChanged(long streamId) {
        bus.send(ClusterNotice.broadcast(ClusterNotice.Kind.DESTINATIONS_CHANGED, streamId, nodeId));
    }

    @Override
    public void streamDeleted(long streamId) {
        bus.send(ClusterNotice.broadcast(ClusterNotice.Kind.STREAM_DELETED, streamId, nodeId));
    }

    @Override
    public void keyRotated(long streamId) {
        bus.send(ClusterNotice.broadcast(ClusterNotice.Kind.KEY_ROTATED, streamId, nodeId));
    }
}
