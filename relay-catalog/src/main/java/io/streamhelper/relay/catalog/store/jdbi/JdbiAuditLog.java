package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.store.AuditLog;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

final class JdbiAuditLog implements AuditLog {
    private final Jdbi jdbi;
    private final Clock clock;

    JdbiAuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @Override
    public void record(long userId, String action, String entity, long entityId, String detail) {
        Sql.guardRun("write the audit log", () -> jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO audit_log (user_id, action, entity, entity_id, detail, at)
                        VALUES (:user, :action, :entity, :entityId, :detail, :at)
                        """)
                .bind("user", userId)
                .bind("action", action)
                .bind("entity", entity)
                .bind("entityId", entityId)
                .bind("detail", detail)
                .bind("at", clock.millis())
                .execute()));
    }

    /** The newest {@code limit} entries, newest first. */
    @Override
    public List<Entry> recent(int limit) {
        return Sql.guard("read the audit log", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT user_id, action, entity, entity_id, detail, at
                        FROM audit_log ORDER BY id DESC LIMIT :limit
                        """)
                .bind("limit", Math.max(0, limit))
                .map((rs, ctx) -> new Entry(rs.getLong("user_id"), rs.getString("action"), rs.getString("entity"),
                        rs.getLong("entity_id"), rs.getString("detail"), Sql.instant(rs.getLong("at"))))
                .list()));
    }
}
