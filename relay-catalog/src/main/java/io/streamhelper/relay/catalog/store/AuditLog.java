package io.streamhelper.relay.catalog.store;

import java.util.List;

/** Who changed what and when. Entries name ids and fields, never a key. */
public interface AuditLog {
    record Entry(long userId, String action, String entity, long entityId, String detail, java.time.Instant at) {
    }

    /** {@code action} such as {@code create}, {@code update}, {@code delete}, {@code rotate-key}. */
    void record(long userId, String action, String entity, long entityId, String detail);

    List<Entry> recent(int limit);
}
