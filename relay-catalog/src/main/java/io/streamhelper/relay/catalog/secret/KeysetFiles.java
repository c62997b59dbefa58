package io.streamhelper.relay.catalog.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a cleartext keyset file so that only the owner can ever read it, and so that a crash
 * leaves either the old file or the new one, never half of one.
 */
final class KeysetFiles {
    private KeysetFiles() {
    }

    /** Creates {@code file}; fails with FileAlreadyExistsException if it exists. */
    static void createNew(Path file, String json) throws IOException {
        write(file, json, StandardOpenOption.CREATE_NEW);
    }

    /**
     * Replaces {@code file}: the new content goes into an owner-only temporary file next to it,
     * reaches the disk, and is renamed over the old one (atomic on one file system).
     */
    static void replace(Path file, String json) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp); // left by a crash between write and rename
        try {
            write(temp, json, StandardOpenOption.CREATE_NEW);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    private static void write(Path file, String json, StandardOpenOption create) throws IOException {
        // The permissions are part of the create call, so the key is never readable by others,
        // not even for the moment between creating and a chmod.
        FileAttribute<?>[] ownerOnly = supportsPosix(file.toAbsolutePath().getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (SeekableByteChannel out = Files.newByteChannel(file,
                Set.of(create, StandardOpenOption.WRITE, StandardOpenOption.SYNC), ownerOnly)) {
            ByteBuffer bytes = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    /** So the rename itself survives a power cut (Linux; elsewhere opening a directory may fail). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can sync a directory; the rename is still atomic.
        }
    }

    private static boolean supportsPosix(Path dir) throws IOException {
        return Files.getFileStore(dir).supportsFileAttributeView("posix");
    }
}
