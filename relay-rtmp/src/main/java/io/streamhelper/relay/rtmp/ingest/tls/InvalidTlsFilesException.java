package io.streamhelper.relay.rtmp.ingest.tls;

/**
 * The certificate or key files cannot be used. The message names the file and what is wrong with
 * it, and never holds any of the key's bytes: it goes to the start-up error and to the log.
 */
public final class InvalidTlsFilesException extends RuntimeException {
    InvalidTlsFilesException(String message) {
        super(message);
    }

    InvalidTlsFilesException(String message, Throwable cause) {
        super(message, cause);
    }
}
