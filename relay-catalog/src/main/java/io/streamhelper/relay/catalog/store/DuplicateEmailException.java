package io.streamhelper.relay.catalog.store;

/** An account with this e-mail address (compared case-insensitively) exists already. */
public final class DuplicateEmailException extends RuntimeException {
    public DuplicateEmailException() {
        super("an account with this email exists already", null, false, false);
    }
}
