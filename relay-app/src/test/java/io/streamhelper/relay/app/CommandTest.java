package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the jar's arguments ask for; BackupRestoreTest runs the same through a child JVM. */
class CommandTest {
    @Test
    void noArgumentsOrServeServes() {
        assertEquals(Command.Kind.SERVE, Command.parse().kind());
        assertEquals(Command.Kind.SERVE, Command.parse("serve").kind());
    }

    @Test
    void backupAndRestoreTakeOneDirectory() {
        Command backup = Command.parse("backup", "/b/1");
        assertEquals(Command.Kind.BACKUP, backup.kind());
        assertEquals(Optional.of(Path.of("/b/1")), backup.dir());
        assertFalse(backup.overwrite());
        assertTrue(Command.parse("backup", "--overwrite", "/b/1").overwrite());
        assertEquals(Command.Kind.RESTORE, Command.parse("restore", "/b/1").kind());
    }

    @Test
    void everythingElseIsTheUsageWithTheProblemNamed() {
        assertEquals(Optional.empty(), Command.parse("--help").problem());
        assertEquals(Optional.of("unknown command 'bakcup'"), Command.parse("bakcup", "/b").problem());
        assertEquals(Optional.of("backup needs a directory"), Command.parse("backup").problem());
        assertEquals(Optional.of("unknown option '--overwrite'"), Command.parse("restore", "--overwrite", "/b").problem());
        assertEquals(Command.Kind.USAGE, Command.parse("serve", "now").kind());
        assertEquals(Command.Kind.USAGE, Command.parse("restore", "/a", "/b").kind());
    }
}
