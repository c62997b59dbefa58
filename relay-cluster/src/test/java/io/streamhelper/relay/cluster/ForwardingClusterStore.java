package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.ClusterStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The real store with every call passed on: a test overrides the one call it watches or breaks. */
abstract class ForwardingClusterStore implements ClusterStore {
    protected final ClusterStore real;

    ForwardingClusterStore(ClusterStore real) {
        this.real = real;
    }

    @Override
    public long heartbeat(String nodeId, String status) {
        return real.heartbeat(nodeId, status);
    }

    @Override
    public List<NodeRow> aliveNodes(Duration expiry) {
        return real.aliveNodes(expiry);
    }

    @Override
    public Lease claim(long streamId, String nodeId, Duration expiry) {
        return real.claim(streamId, nodeId, expiry);
    }

    @Override
    public Optional<Lease> lease(long streamId, Duration expiry) {
        return real.lease(streamId, expiry);
    }

    @Override
    public void setState(long streamId, String nodeId, String state) {
        real.setState(streamId, nodeId, state);
    }

    @Override
    public void release(long streamId, String nodeId) {
        real.release(streamId, nodeId);
    }

    @Override
    public void releaseAll(String nodeId) {
        real.releaseAll(nodeId);
    }

    @Override
    public void releaseAllExcept(String nodeId, Set<Long> keep) {
        real.releaseAllExcept(nodeId, keep);
    }

    @Override
    public Set<Long> heldByOthers(String nodeId, Duration expiry) {
        return real.heldByOthers(nodeId, expiry);
    }

    @Override
    public void leave(String nodeId) {
        real.leave(nodeId);
    }
}
