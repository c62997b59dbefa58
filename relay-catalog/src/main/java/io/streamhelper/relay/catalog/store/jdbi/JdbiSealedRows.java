package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.SealedRows;
import io.streamhelper.relay.catalog.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** {@link SealedRows} over the three tables that hold ciphertexts. */
public final class JdbiSealedRows implements SealedRows {
    /** Small batches: each write transaction holds SQLite's one write lock for milliseconds only. */
    private static final int BATCH = 50;
    /**
     * A pass can miss a row only when the API changed it meanwhile, and every such change after
     * the primary was installed is sealed with the primary: a few passes always settle.
     */
    private static final int MAX_PASSES = 10;

    /** Where one kind of ciphertext lives. Names come from this code, never from input. */
    private record Column(String table, String column, String ownerColumn, Sealing sealing) {
    }

    private record Pending(long id, byte[] old, byte[] resealed) {
    }

    private final Jdbi jdbi;
    private final Column keyCheck;
    private final Column streams;
    private final Column destinations;
    /** Runs before each write transaction: lets a test change a row, or crash, between read and write. */
    private final Runnable beforeWrite;

    public JdbiSealedRows(Jdbi jdbi, SecretBox box) {
        this(jdbi, box, () -> { });
    }

    JdbiSealedRows(Jdbi jdbi, SecretBox box, Runnable beforeWrite) {
        this.jdbi = jdbi;
        this.beforeWrite = beforeWrite;
        this.keyCheck = new Column("key_check", "ciphertext", "0", Sealing.keyCheck(box));
        this.streams = new Column("streams", "key_ciphertext", "owner_id", Sealing.streams(box));
        this.destinations = new Column("stream_destinations", "stream_key_ciphertext", "owner_id", Sealing.destinations(box));
    }

    @Override
    public Resealed resealAll() {
        // The key check first: once any row needs the new key, a server started with the old
        // key alone must refuse to start rather than fail on that row later.
        Column[] columns = {keyCheck, streams, destinations};
        int[] resealed = new int[columns.length];
        int alreadyCurrent = 0;
        for (int pass = 1; pass <= MAX_PASSES; pass++) {
            int needed = 0;
            for (int i = 0; i < columns.length; i++) {
                Count count = resealColumn(columns[i]);
                needed += count.needed();
                resealed[i] += count.resealed();
                if (pass == 1) {
                    alreadyCurrent += count.seen() - count.needed();
                }
            }
            if (needed == 0) {
                return new Resealed(resealed[1], resealed[2], resealed[0], alreadyCurrent);
            }
        }
        throw new StoreException("could not re-seal every key: rows kept changing during " + MAX_PASSES + " passes", null);
    }

    private record Count(int seen, int needed, int resealed) {
    }

    /** One pass over one column; a row changed meanwhile counts as needed, not re-sealed. */
    private Count resealColumn(Column c) {
        int seen = 0;
        int needed = 0;
        int resealed = 0;
        long after = Long.MIN_VALUE;
        while (true) {
            long from = after;
            List<long[]> ids = new ArrayList<>();
            List<byte[]> ciphertexts = new ArrayList<>();
            Sql.guardRun("read the sealed keys of " + c.table(), () -> jdbi.useHandle(handle -> handle
                    .createQuery("SELECT id, " + c.ownerColumn() + " AS owner, " + c.column() + " AS ciphertext FROM "
                            + c.table() + " WHERE " + c.column() + " IS NOT NULL AND id > :after ORDER BY id LIMIT " + BATCH)
                    .bind("after", from)
                    .map((rs, ctx) -> {
                        ids.add(new long[] {rs.getLong("id"), rs.getLong("owner")});
                        ciphertexts.add(rs.getBytes("ciphertext"));
                        return null;
                    })
                    .list()));
            if (ids.isEmpty()) {
                return new Count(seen, needed, resealed);
            }
            // Decrypting and sealing happen outside the transaction; the write below only lands
            // where the row still holds what was read.
            List<Pending> pending = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i)[0];
                byte[] fresh = c.sealing().resealIfOld(ciphertexts.get(i), id, ids.get(i)[1]);
                if (fresh != null) {
                    pending.add(new Pending(id, ciphertexts.get(i), fresh));
                }
            }
            seen += ids.size();
            needed += pending.size();
            if (!pending.isEmpty()) {
                beforeWrite.run();
                resealed += Sql.guard("re-seal the keys of " + c.table(), () -> jdbi.inTransaction(handle -> {
                    int changed = 0;
                    for (Pending p : pending) {
                        changed += handle.createUpdate("UPDATE " + c.table() + " SET " + c.column() + " = :fresh"
                                        + " WHERE id = :id AND " + c.column() + " = :old")
                                .bind("fresh", p.resealed())
                                .bind("id", p.id())
                                .bind("old", p.old())
                                .execute();
                    }
                    return changed;
                }));
            }
            after = ids.get(ids.size() - 1)[0];
        }
    }
}
