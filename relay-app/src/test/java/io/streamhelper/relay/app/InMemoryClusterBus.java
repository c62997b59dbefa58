package io.streamhelper.relay.app;

import io.streamhelper.relay.cluster.ClusterBus;
import io.streamhelper.relay.cluster.ClusterNotice;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The bus between two servers in one test JVM, until hB's PgClusterBus (LISTEN/NOTIFY) is on
 * main: every notice to every listener, the sender's included (as NOTIFY), asynchronously on one
 * thread, in order. The same as relay-cluster's test bus, which relay-app's tests cannot see.
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
