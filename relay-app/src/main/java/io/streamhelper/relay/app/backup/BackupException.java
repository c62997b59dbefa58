package io.streamhelper.relay.app.backup;

/** A backup or restore that did not happen; the message tells the operator why, never a key. */
public final class BackupException extends Exception {
    BackupException(String message) {
        super(message);
    }

    BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
