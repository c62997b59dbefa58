package io.streamhelper.relay.app.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/** File chores of backup and restore: owner-only files and directories, hashes, durable renames. */
final class BackupFiles {
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private BackupFiles() {
    }

    /** The directory, created owner-only (0700) if missing; an existing one is narrowed to 0700. */
    static void ownerOnlyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(dir, attributes(dir.toAbsolutePath().getParent(), OWNER_DIR));
        } else if (posix(dir)) {
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        }
    }

    /** Copies {@code source} to {@code target} (which must not exist) as an owner-only (0600) file, synced to disk. */
    static void copyOwnerOnly(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source);
                OutputStream out = Channels.newOutputStream(newOwnerOnlyFile(target))) {
            in.transferTo(out);
        }
        sync(target);
    }

    /** Writes {@code bytes} to a new owner-only file, synced to disk. */
    static void writeOwnerOnly(Path target, byte[] bytes) throws IOException {
        try (OutputStream out = Channels.newOutputStream(newOwnerOnlyFile(target))) {
            out.write(bytes);
        }
        sync(target);
    }

    /** The mode is part of the create call: the file is never readable by others, not even briefly. */
    private static SeekableByteChannel newOwnerOnlyFile(Path target) throws IOException {
        return Files.newByteChannel(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attributes(target.toAbsolutePath().getParent(), OWNER_FILE));
    }

    /** A new, empty owner-only (0600) file, for a writer that fills an existing file (SQLite's VACUUM INTO). */
    static void createOwnerOnly(Path target) throws IOException {
        newOwnerOnlyFile(target).close();
    }

    /** Renames within one directory, replacing nothing: a name appears complete or not at all. */
    static void publish(Path partial, Path target) throws IOException {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static void sync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Makes the renames in {@code dir} durable where the platform allows a directory to be synced. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupportedHere) {
            // Every file in it is synced already; only the names may not be, on such a platform.
        }
    }

    private static boolean posix(Path path) throws IOException {
        return Files.getFileStore(path).supportsFileAttributeView("posix");
    }

    private static FileAttribute<?>[] attributes(Path dir, Set<PosixFilePermission> permissions) throws IOException {
        return dir != null && posix(dir)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }
}
