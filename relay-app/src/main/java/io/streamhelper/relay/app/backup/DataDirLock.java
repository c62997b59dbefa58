package io.streamhelper.relay.app.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An OS file lock on {@code <data dir>/relay.lock}, held by a running server and by a restore.
 * SQLite's own locks cannot tell an idle server from none (in WAL mode a second process may open,
 * read and even write the database beside it), so restore asks this lock instead. The kernel drops
 * it when the process ends, however it ends: a crashed server never leaves the directory "in use".
 */
public final class DataDirLock implements AutoCloseable {
    public static final String FILE_NAME = "relay.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another process (or another holder in this one) has it. */
    public static Optional<DataDirLock> tryAcquire(Path dataDir) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dataDir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new DataDirLock(channel, lock));
        } catch (OverlappingFileLockException heldInThisJvm) {
            closeQuietly(channel);
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open the lock file in " + dataDir, e);
        }
    }

    /** As {@link #tryAcquire}, for a server: one that finds the lock taken does not start. */
    public static DataDirLock acquire(Path dataDir) {
        return tryAcquire(dataDir).orElseThrow(() -> new IllegalStateException("the data directory " + dataDir
                + " is in use by another relay process (or a restore): " + FILE_NAME + " is locked"));
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing was locked through it.
            }
        }
    }
}
