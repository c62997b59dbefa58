package io.streamhelper.relay.app.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OS file lock on {@code <data dir>/relay.lock}, held by a running server and by a restore.
 * SQLite's own locks cannot tell an idle server from none (in WAL mode a second process may open,
 * read and even write the database beside it), so restore asks this lock instead. The kernel drops
 * it when the process ends, however it ends: a crashed server never leaves the directory "in use".
 *
 * <p>That lock belongs to the process, not to the channel: closing any channel on the file drops
 * it, even one that never got the lock. So a second holder in the same JVM (a second server, a
 * test) is refused from an in-JVM registry of held directories before it opens the file at all.
 */
public final class DataDirLock implements AutoCloseable {
    public static final String FILE_NAME = "relay.lock";
    /** The data directories this JVM holds the lock of, by real path (a symlink names the same one). */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path held;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DataDirLock(Path held, FileChannel channel, FileLock lock) {
        this.held = held;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another process (or another holder in this one) has it. */
    public static Optional<DataDirLock> tryAcquire(Path dataDir) {
        Path key = key(dataDir);
        if (!HELD_HERE.add(key)) {
            // Held in this JVM: opening (and then closing) a channel here would release it.
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dataDir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD_HERE.remove(key);
                return Optional.empty();
            }
            return Optional.of(new DataDirLock(key, channel, lock));
        } catch (OverlappingFileLockException heldInThisJvmUnderAnotherName) {
            // Only reachable past the registry through a name it did not resolve (a hard link):
            // closing this channel drops the other holder's lock, which is why the registry exists.
            closeQuietly(channel);
            HELD_HERE.remove(key);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            HELD_HERE.remove(key);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException("cannot open the lock file in " + dataDir, (IOException) e);
        }
    }

    /** The directory's real path when it exists (symlinks resolved), else its absolute, normalized one. */
    private static Path key(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath();
        } catch (IOException missing) {
            return absolute; // opening the lock file below fails, with the message that says why
        }
    }

    /** As {@link #tryAcquire}, for a server: one that finds the lock taken does not start. */
    public static DataDirLock acquire(Path dataDir) {
        return tryAcquire(dataDir).orElseThrow(() -> new IllegalStateException("the data directory " + dataDir
                + " is in use by another relay process (or a restore): " + FILE_NAME + " is locked"));
    }

    @Override
    public void close() {
        if (closed) {
            return; // the directory may have a new holder by now: its registration is not ours
        }
        closed = true;
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it as well.
        }
        closeQuietly(channel);
        HELD_HERE.remove(held);
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
