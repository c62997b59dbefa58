package io.streamhelper.relay.catalog.cluster;

/**
 * Where the catalog's services say that a stream's stored state changed, after the change is
 * committed and applied to this node's own registry: the stream may be live on another node,
 * which must hear it within a second (PostgreSQL LISTEN/NOTIFY, relay-cluster). Never carries a
 * key: the node that owns the stream reads what changed from the database. Never throws and never
 * blocks for long: a change the bus cannot send is logged, not failed (it is stored already).
 */
public interface ClusterChanges {
    /** A destination of the stream was added, changed, enabled, disabled or deleted. */
    void destinationsChanged(long streamId);

    /** The stream was deleted. */
    void streamDeleted(long streamId);

    /** The stream's ingest key was replaced. */
    void keyRotated(long streamId);

    /** A single node: nobody else to tell. */
    ClusterChanges NONE = new ClusterChanges() {
        @Override
        public void destinationsChanged(long streamId) {
        }

        @Override
        public void streamDeleted(long streamId) {
        }

        @Override
        public void keyRotated(long streamId) {
        }
    };
}
