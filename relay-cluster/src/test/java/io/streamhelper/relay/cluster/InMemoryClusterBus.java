package io.streamhelper.relay.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A bus inside one JVM, standing in for PostgreSQL's LISTEN/NOTIFY (hB's PgClusterBus) where the
 * test is about the lease protocol, not the transport: every notice goes to every listener (the
 * sender's own included, as NOTIFY does), asynchronously, on one delivery thread, in the order
 * sent. It keeps every notice sent, for the test to read.
 */
final class InMemoryClusterBus implements ClusterBus {
    final List<ClusterNotice> sent = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-bus");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void send(ClusterNotice notice) {
        sent.add(notice);
        try {
            delivery.execute(() -> listeners.forEach(l -> l.notice(notice)));
        } catch (RejectedExecutionException closed) {
            // As a NOTIFY after the bus closed: lost.
        }
    }

    @Override
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** The notices of this kind sent so far. */
    List<ClusterNotice> sent(ClusterNotice.Kind kind) {
        return sent.stream().filter(n -> n.kind() == kind).toList();
    }

    @Override
    public void close() {
        delivery.shutdown();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
