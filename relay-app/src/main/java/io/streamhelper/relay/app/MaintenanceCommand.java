package io.streamhelper.relay.app;

import io.streamhelper.relay.app.backup.Backup;
import io.streamhelper.relay.app.backup.BackupException;
import io.streamhelper.relay.app.backup.Restore;
import io.streamhelper.relay.logging.Redactor;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * {@code backup} and {@code restore}, run on the server's own settings (environment and
 * RELAY_CONFIG_FILE) so that they find its data directory and its key. Exit codes: 0 done and
 * verified, 1 refused or failed (the message says why), 2 the settings are invalid.
 */
final class MaintenanceCommand {
    static final int DONE = 0;
    static final int FAILED = 1;
    static final int BAD_SETTINGS = 2;

    private MaintenanceCommand() {
    }

    static int run(Command command, Map<String, String> env, Clock clock, PrintStream out, PrintStream err) {
        RelayConfig config;
        try {
            config = RelayConfig.fromEnvironment(ConfigFile.merge(env));
        } catch (RelayConfig.InvalidConfigException e) {
            err.println("streamhelper-relay: " + Redactor.redact(e.getMessage()));
            return BAD_SETTINGS;
        }
        try {
            switch (command.kind()) {
                case BACKUP -> new Backup(config, clock, out).into(command.dir().orElseThrow(), command.overwrite());
                case RESTORE -> new Restore(config, clock, out).from(command.dir().orElseThrow());
                default -> throw new IllegalArgumentException("not a maintenance command: " + command.kind());
            }
            return DONE;
        } catch (BackupException | RuntimeException e) {
            // A RuntimeException is a file the command could not open (a lock file in an unwritable
            // directory, say): one line as well, never a stack trace past the redaction.
            err.println("streamhelper-relay: " + command.kind().name().toLowerCase(java.util.Locale.ROOT) + " failed: "
                    + Redactor.redact(String.valueOf(e.getMessage())));
            return FAILED;
        }
    }
}
