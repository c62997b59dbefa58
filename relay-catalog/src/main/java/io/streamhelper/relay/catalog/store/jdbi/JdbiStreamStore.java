package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.catalog.store.StreamStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

final class JdbiStreamStore implements StreamStore {
    private static final String SELECT = "SELECT id, owner_id, name, key_ciphertext, is_live, created_at, updated_at"
            + " FROM streams WHERE deleted_at IS NULL";

    /** A stream as read, key still sealed: decryption happens outside the database call. */
    private record Row(long id, long ownerId, String name, byte[] keyCiphertext, boolean live,
                       long createdAt, long updatedAt) {
    }

    private final Jdbi jdbi;
    private final Sealing sealing;
    private final Clock clock;

    JdbiStreamStore(Jdbi jdbi, Sealing sealing, Clock clock) {
        this.jdbi = jdbi;
        this.sealing = sealing;
        this.clock = clock;
    }

    @Override
    public StreamRecord create(long ownerId, String name, Secret key) {
        long now = clock.millis();
        // The ciphertext's associated data names the id, known only after the insert; one
        // transaction keeps a row without its key from ever being visible or left behind.
        long id = sealing.storing(() -> Sql.guard("create a stream for account " + ownerId, () -> jdbi.inTransaction(handle -> {
            long newId = handle.createQuery("""
                            INSERT INTO streams (owner_id, name, key_hash, is_live, created_at, updated_at)
                            VALUES (:owner, :name, :hash, 0, :now, :now)
                            RETURNING id
                            """)
                    .bind("owner", ownerId)
                    .bind("name", name)
                    .bind("hash", KeyHash.of(key.reveal()))
                    .bind("now", now)
                    .mapTo(Long.class)
                    .one();
            storeCiphertext(handle, newId, sealing.seal(key, newId, ownerId));
            return newId;
        })));
        return new StreamRecord(id, ownerId, name, key, false, Sql.instant(now), Sql.instant(now));
    }

    @Override
    public Optional<StreamRecord> findById(long id) {
        return Sql.guard("read stream " + id, () -> jdbi.withHandle(handle -> handle
                        .createQuery(SELECT + " AND id = :id")
                        .bind("id", id)
                        .map(JdbiStreamStore::row)
                        .findOne()))
                .map(this::open);
    }

    @Override
    public Optional<StreamRecord> findByKey(String key) {
        if (key == null) {
            return Optional.empty();
        }
        return Sql.guard("find a stream by key", () -> jdbi.withHandle(handle -> handle
                        .createQuery(SELECT + " AND key_hash = :hash")
                        .bind("hash", KeyHash.of(key))
                        .map(JdbiStreamStore::row)
                        .findOne()))
                .map(this::open);
    }

    @Override
    public List<StreamRecord> listByOwner(long ownerId) {
        return Sql.guard("list the streams of account " + ownerId, () -> jdbi.withHandle(handle -> handle
                        .createQuery(SELECT + " AND owner_id = :owner ORDER BY id")
                        .bind("owner", ownerId)
                        .map(JdbiStreamStore::row)
                        .list()))
                .stream().map(this::open).toList();
    }

    @Override
    public long count() {
        return Sql.guard("count the streams", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT COUNT(*) FROM streams WHERE deleted_at IS NULL")
                .mapTo(Long.class)
                .one()));
    }

    @Override
    public List<StreamRecord> listAll() {
        return Sql.guard("list all streams", () -> jdbi.withHandle(handle -> handle
                        .createQuery(SELECT + " ORDER BY id")
                        .map(JdbiStreamStore::row)
                        .list()))
                .stream().map(this::open).toList();
    }

    @Override
    public Map<Long, String> namesOf(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<Long, String> names = new HashMap<>();
        Sql.guard("stream names", () -> jdbi.withHandle(handle -> handle
                        .createQuery("SELECT id, name FROM streams WHERE deleted_at IS NULL AND id IN (<ids>)")
                        .bindList("ids", List.copyOf(ids))
                        .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("name")))
                        .list()))
                .forEach(row -> names.put(row.getKey(), row.getValue()));
        return names;
    }

    @Override
    public StreamRecord rename(long id, String name) {
        long now = clock.millis();
        int changed = Sql.guard("rename stream " + id, () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE streams SET name = :name, updated_at = :now WHERE id = :id AND deleted_at IS NULL")
                .bind("name", name)
                .bind("now", now)
                .bind("id", id)
                .execute()));
        if (changed == 0) {
            throw new NoSuchElementException("no stream " + id);
        }
        return findById(id).orElseThrow(() -> new NoSuchElementException("no stream " + id));
    }

    /** @throws NoSuchElementException when there is no such stream, or it was deleted */
    @Override
    public StreamRecord rotateKey(long id, Secret newKey) {
        long now = clock.millis();
        Row updated = sealing.storing(() -> Sql.guard("rotate the key of stream " + id, () -> jdbi.inTransaction(handle -> {
            Row current = handle.createQuery(SELECT + " AND id = :id")
                    .bind("id", id)
                    .map(JdbiStreamStore::row)
                    .findOne()
                    .orElseThrow(() -> new NoSuchElementException("no stream " + id));
            handle.createUpdate("""
                            UPDATE streams SET key_hash = :hash, key_ciphertext = :ciphertext, updated_at = :now
                            WHERE id = :id
                            """)
                    .bind("hash", KeyHash.of(newKey.reveal()))
                    .bind("ciphertext", sealing.seal(newKey, id, current.ownerId()))
                    .bind("now", now)
                    .bind("id", id)
                    .execute();
            return current;
        })));
        return new StreamRecord(id, updated.ownerId(), updated.name(), newKey, updated.live(),
                Sql.instant(updated.createdAt()), Sql.instant(now));
    }

    @Override
    public boolean delete(long id) {
        long now = clock.millis();
        return Sql.guard("delete stream " + id, () -> jdbi.inTransaction(handle -> {
            // Clearing the hash frees the key for future streams; clearing the ciphertext means a
            // deleted stream keeps no key at all.
            int streams = handle.createUpdate("""
                            UPDATE streams
                            SET deleted_at = :now, updated_at = :now, is_live = 0, key_hash = NULL, key_ciphertext = NULL
                            WHERE id = :id AND deleted_at IS NULL
                            """)
                    .bind("now", now)
                    .bind("id", id)
                    .execute();
            if (streams == 0) {
                return false;
            }
            handle.createUpdate("""
                            UPDATE stream_destinations
                            SET deleted_at = :now, updated_at = :now, stream_key_ciphertext = NULL
                            WHERE stream_id = :id AND deleted_at IS NULL
                            """)
                    .bind("now", now)
                    .bind("id", id)
                    .execute();
            return true;
        }));
    }

    @Override
    public void setLive(long id, boolean live) {
        // Runtime state, not an edit by the owner: updated_at stays as it is.
        Sql.guardRun("mark stream " + id + (live ? " live" : " offline"), () -> jdbi.useHandle(handle -> handle
                .createUpdate("UPDATE streams SET is_live = :live WHERE id = :id AND deleted_at IS NULL")
                .bind("live", Sql.flag(live))
                .bind("id", id)
                .execute()));
    }

    @Override
    public int clearAllLive() {
        return Sql.guard("mark all streams offline", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE streams SET is_live = 0 WHERE is_live = 1")
                .execute()));
    }

    @Override
    public int clearAllLiveExcept(java.util.Set<Long> streamIds) {
        if (streamIds.isEmpty()) {
            return clearAllLive();
        }
        return Sql.guard("mark the streams of this node offline", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE streams SET is_live = 0 WHERE is_live = 1 AND id NOT IN (<ids>)")
                .bindList("ids", List.copyOf(streamIds))
                .execute()));
    }

    private static void storeCiphertext(Handle handle, long id, byte[] ciphertext) {
        handle.createUpdate("UPDATE streams SET key_ciphertext = :ciphertext WHERE id = :id")
                .bind("ciphertext", ciphertext)
                .bind("id", id)
                .execute();
    }

    private StreamRecord open(Row row) {
        Secret key = sealing.open(row.keyCiphertext(), row.id(), row.ownerId());
        return new StreamRecord(row.id(), row.ownerId(), row.name(), key, row.live(),
                Sql.instant(row.createdAt()), Sql.instant(row.updatedAt()));
    }

    private static Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Row(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("name"), rs.getBytes("key_ciphertext"),
                rs.getInt("is_live") == 1, rs.getLong("created_at"), rs.getLong("updated_at"));
    }
}
