package io.streamhelper.relay.catalog.store;

/** The configured key does not open the database's key check: the server must not start on it. */
public final class KeyMismatchException extends IllegalStateException {
    public KeyMismatchException(String message) {
        super(message);
    }
}
