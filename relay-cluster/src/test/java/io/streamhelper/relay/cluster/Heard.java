package io.streamhelper.relay.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that keeps what it heard, in order, and counts its resyncs and the threads it was called on. */
final class Heard implements ClusterBus.Listener {
    final List<ClusterNotice> notices = new CopyOnWriteArrayList<>();
    final AtomicInteger resyncs = new AtomicInteger();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void notice(ClusterNotice notice) {
        threads.add(Thread.currentThread().getName());
        notices.add(notice);
    }

    @Override
    public void resynced() {
        threads.add(Thread.currentThread().getName());
        resyncs.incrementAndGet();
    }

    List<Long> streams() {
        return notices.stream().map(ClusterNotice::streamId).toList();
    }
}
