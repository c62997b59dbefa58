package io.streamhelper.relay.engine.secret;

/**
 * A ciphertext did not open: it was damaged, sealed with another key, or sealed for other
 * associated data (for example copied from another row). The message never contains the
 * plaintext, the ciphertext or the key.
 */
public final class SecretDecryptionException extends RuntimeException {
    public SecretDecryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
