package io.streamhelper.relay.cluster;

import io.streamhelper.relay.catalog.store.ClusterStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The real store, counting the reads of who is alive: how a test sees ClusterView's cache at work. */
final class CountedReads extends ForwardingClusterStore {
    final AtomicInteger reads = new AtomicInteger();

    CountedReads(ClusterStore store) {
        super(store);
    }

    @Override
    public List<NodeRow> aliveNodes(Duration expiry) {
        reads.incrementAndGet();
        return real.aliveNodes(expiry);
    }
}
