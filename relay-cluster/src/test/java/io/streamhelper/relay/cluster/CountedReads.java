package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.ClusterStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The real store, counting the reads of who is alive: how a test sees ClusterView's cache at work. */
final class CountedReads implements ClusterStore {
    private final ClusterStore store;
    final AtomicInteger reads = new AtomicInteger();

    CountedReads(ClusterStore store) {
        this.store = store;
    }

    @Override
    public List<NodeRow> aliveNodes(Duration expiry) {
        reads.incrementAndGet();
        return store.aliveNodes(expiry);
    }

    @Override
    public long heartbeat(String nodeId, String status) {
        return store.heartbeat(nodeId, status);
    }

    @Override
    public Lease claim(long streamId, String nodeId, Duration expiry) {
        return store.claim(streamId, nodeId, expiry);
    }

    @Override
    public Optional<Lease> lease(long streamId, Duration expiry) {
        return store.lease(streamId, expiry);
    }

    @Override
    public void setState(long streamId, String nodeId, String state) {
        store.setState(streamId, nodeId, state);
    }

    @Override
    public void release(long streamId, String nodeId) {
        store.release(streamId, nodeId);
    }

    @Override
    public void releaseAll(String nodeId) {
        store.releaseAll(nodeId);
    }

    @Override
    public void releaseAllExcept(String nodeId, java.util.Set<Long> keep) {
        store.releaseAllExcept(nodeId, keep);
    }

    @Override
    public java.util.Set<Long> heldByOthers(String nodeId, Duration expiry) {
        return store.heldByOthers(nodeId, expiry);
    }

    @Override
    public void leave(String nodeId) {
        store.leave(nodeId);
    }
}
