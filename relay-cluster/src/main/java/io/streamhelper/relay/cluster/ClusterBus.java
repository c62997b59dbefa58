package io.streamhelper.relay.cluster;

import java.util.function.Consumer;

/**
 * Notices between the nodes of one database: PostgreSQL's LISTEN/NOTIFY on one channel
 * ({@code PgClusterBus}). A notice sent is delivered to every node listening then, the sender
 * included (handlers skip their own); one sent while a node's listening connection is down is
 * lost to it, so a node that reconnects is told ({@link Listener#resynced}) and re-reads what it
 * holds.
 */
public interface ClusterBus extends AutoCloseable {
    interface Listener {
        void notice(ClusterNotice notice);

        /** The listening connection came back after a loss: notices may have been missed. */
        default void resynced() {
        }
    }

    /** Sends, after the change it announces is committed. Never throws: a failure is logged. */
    void send(ClusterNotice notice);

    /** Adds a listener; called on the bus's own thread, one notice at a time, in order. */
    void listen(Listener listener);

    @Override
    void close();

    /** Convenience for a listener that only takes notices. */
    static Listener listener(Consumer<ClusterNotice> notices) {
        return notices::accept;
    }
}
