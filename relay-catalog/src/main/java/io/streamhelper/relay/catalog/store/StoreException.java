package io.streamhelper.relay.catalog.store;

/** The database could not do what was asked (unreachable, corrupt, a ciphertext that fails). */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
