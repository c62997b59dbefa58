package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.store.DestinationChange;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.DestinationStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;

final class JdbiDestinationStore implements DestinationStore {
    private static final String SELECT = "SELECT id, stream_id, owner_id, platform, enabled, rtmp_url,"
            + " stream_key_ciphertext, display_name, created_at, updated_at, video_codecs"
            + " FROM stream_destinations WHERE deleted_at IS NULL";

    /** A destination as read, key still sealed: decryption happens outside the database call, when the key is used. */
    private record Row(long id, long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                       byte[] keyCiphertext, String displayName, long createdAt, long updatedAt, String videoCodecs) {
    }

    private final Jdbi jdbi;
    private final Sealing sealing;
    private final Clock clock;
    /** Runs between sealing a key and writing it: lets a test hold a write there while a key rotation runs. */
    private final Runnable afterSeal;

    JdbiDestinationStore(Jdbi jdbi, Sealing sealing, Clock clock) {
        this(jdbi, sealing, clock, () -> { });
    }

    JdbiDestinationStore(Jdbi jdbi, Sealing sealing, Clock clock, Runnable afterSeal) {
        this.jdbi = jdbi;
        this.sealing = sealing;
        this.clock = clock;
        this.afterSeal = afterSeal;
    }

    /**
     * @throws NoSuchElementException when the stream does not exist, is deleted, or belongs to
     *         another owner: a destination always shares its stream's owner
     */
    @Override
    public DestinationRecord create(long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                                    Secret streamKey, String displayName, List<String> videoCodecs) {
        long now = clock.millis();
        // As for streams: the id goes into the associated data, so insert and seal in one transaction.
        long id = sealing.storing(() -> Sql.guard("create a destination for stream " + streamId, () -> jdbi.inTransaction(handle -> {
            long newId = handle.createQuery("""
                            INSERT INTO stream_destinations
                                (stream_id, owner_id, platform, enabled, rtmp_url, display_name, created_at, updated_at,
                                 video_codecs)
                            SELECT id, owner_id, :platform, :enabled, :url, :displayName, :now, :now, :videoCodecs
                            FROM streams WHERE id = :stream AND owner_id = :owner AND deleted_at IS NULL
                            RETURNING id
                            """)
                    .bind("stream", streamId)
                    .bind("owner", ownerId)
                    .bind("platform", platform)
                    .bind("enabled", Sql.flag(enabled))
                    .bind("url", rtmpUrl)
                    .bind("displayName", displayName)
                    .bind("videoCodecs", joined(videoCodecs))
                    .bind("now", now)
                    .mapTo(Long.class)
                    .findOne()
                    .orElseThrow(() -> new NoSuchElementException(
                            "no stream " + streamId + " owned by account " + ownerId));
            storeCiphertext(handle, newId, sealing.seal(streamKey, newId, ownerId));
            return newId;
        })));
        return new DestinationRecord(id, streamId, ownerId, platform, enabled, rtmpUrl, streamKey, displayName,
                Sql.instant(now), Sql.instant(now), videoCodecs);
    }

    @Override
    public Optional<DestinationRecord> findById(long id) {
        return Sql.guard("read destination " + id, () -> jdbi.withHandle(handle -> findRow(handle, id)))
                .map(this::open);
    }

    @Override
    public List<DestinationRecord> listByOwner(long ownerId) {
        return Sql.guard("list the destinations of account " + ownerId, () -> jdbi.withHandle(handle -> handle
                        .createQuery(SELECT + " AND owner_id = :owner ORDER BY id")
                        .bind("owner", ownerId)
                        .map(JdbiDestinationStore::row)
                        .list()))
                .stream().map(this::open).toList();
    }

    @Override
    public int countByOwner(long ownerId) {
        return count("owner_id", ownerId, "count the destinations of account " + ownerId);
    }

    @Override
    public int countByStream(long streamId) {
        return count("stream_id", streamId, "count the destinations of stream " + streamId);
    }

    private int count(String column, long value, String what) {
        return Sql.guard(what, () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT COUNT(*) FROM stream_destinations WHERE deleted_at IS NULL AND " + column + " = :value")
                .bind("value", value)
                .mapTo(Integer.class)
                .one()));
    }

    @Override
    public List<DestinationRecord> listByStream(long streamId) {
        return Sql.guard("list the destinations of stream " + streamId, () -> jdbi.withHandle(handle -> handle
                        .createQuery(SELECT + " AND stream_id = :stream ORDER BY id")
                        .bind("stream", streamId)
                        .map(JdbiDestinationStore::row)
                        .list()))
                .stream().map(this::open).toList();
    }

    /** @throws NoSuchElementException when there is no such destination, or it was deleted */
    @Override
    public DestinationRecord update(long id, DestinationChange change) {
        long now = clock.millis();
        Row updated = sealing.storing(() -> Sql.guard("update destination " + id, () -> jdbi.inTransaction(handle -> {
            Row current = findRow(handle, id).orElseThrow(() -> new NoSuchElementException("no destination " + id));
            Map<String, Object> columns = new LinkedHashMap<>();
            change.enabled().ifPresent(enabled -> columns.put("enabled", Sql.flag(enabled)));
            change.rtmpUrl().ifPresent(url -> columns.put("rtmp_url", url));
            change.displayName().ifPresent(name -> columns.put("display_name", name));
            change.videoCodecs().ifPresent(codecs -> columns.put("video_codecs", joined(codecs)));
            // Same associated data as before: the row and its owner have not changed.
            change.streamKey().ifPresent(key ->
                    columns.put("stream_key_ciphertext", sealing.seal(key, id, current.ownerId())));
            if (change.streamKey().isPresent()) {
                afterSeal.run();
            }
            columns.put("updated_at", now);
            execute(handle, id, columns);
            return findRow(handle, id).orElseThrow();
        })));
        return open(updated);
    }

    @Override
    public boolean delete(long id) {
        long now = clock.millis();
        return Sql.guard("delete destination " + id, () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE stream_destinations
                        SET deleted_at = :now, updated_at = :now, stream_key_ciphertext = NULL
                        WHERE id = :id AND deleted_at IS NULL
                        """)
                .bind("now", now)
                .bind("id", id)
                .execute() > 0));
    }

    /** Column names come from the code above, never from input; values are bound. */
    private static void execute(Handle handle, long id, Map<String, Object> columns) {
        List<String> assignments = new ArrayList<>();
        columns.keySet().forEach(column -> assignments.add(column + " = :" + column));
        Update update = handle.createUpdate("UPDATE stream_destinations SET " + String.join(", ", assignments)
                + " WHERE id = :id");
        columns.forEach(update::bind);
        update.bind("id", id).execute();
    }

    private static Optional<Row> findRow(Handle handle, long id) {
        return handle.createQuery(SELECT + " AND id = :id")
                .bind("id", id)
                .map(JdbiDestinationStore::row)
                .findOne();
    }

    private static void storeCiphertext(Handle handle, long id, byte[] ciphertext) {
        handle.createUpdate("UPDATE stream_destinations SET stream_key_ciphertext = :ciphertext WHERE id = :id")
                .bind("ciphertext", ciphertext)
                .bind("id", id)
                .execute();
    }

    /** The row's ciphertext now (a key rotation may have re-sealed it since it was read); null if gone. */
    private byte[] currentCiphertext(long id) {
        return Sql.guard("read the key of destination " + id, () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT stream_key_ciphertext FROM stream_destinations WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id)
                .mapTo(byte[].class)
                .findOne()
                .orElse(null)));
    }

    /** The record with its key still sealed: only a caller that uses the key decrypts it. */
    private DestinationRecord open(Row row) {
        Secret key = sealing.openWhenUsed(row.keyCiphertext(), row.id(), row.ownerId(), () -> currentCiphertext(row.id()));
        return new DestinationRecord(row.id(), row.streamId(), row.ownerId(), row.platform(), row.enabled(),
                row.rtmpUrl(), key, row.displayName(), Sql.instant(row.createdAt()), Sql.instant(row.updatedAt()),
                split(row.videoCodecs()));
    }

    /** FourCCs joined by commas; NULL for none (not restricted). */
    private static String joined(List<String> codecs) {
        return codecs.isEmpty() ? null : String.join(",", codecs);
    }

    private static List<String> split(String column) {
        return column == null || column.isEmpty() ? List.of() : List.of(column.split(","));
    }

    private static Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Row(rs.getLong("id"), rs.getLong("stream_id"), rs.getLong("owner_id"), rs.getString("platform"),
                rs.getInt("enabled") == 1, rs.getString("rtmp_url"), rs.getBytes("stream_key_ciphertext"),
                rs.getString("display_name"), rs.getLong("created_at"), rs.getLong("updated_at"),
                rs.getString("video_codecs"));
    }
}
