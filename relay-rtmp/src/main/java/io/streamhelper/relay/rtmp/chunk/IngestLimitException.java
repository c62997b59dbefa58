package io.streamhelper.relay.rtmp.chunk;

import io.netty.handler.codec.DecoderException;

/**
 * A peer broke one of the limits that bound what a connection may make us hold. It closes that
 * connection alone; {@link #reason()} is the short name the ingest logs as
 * {@code event=ingest_limit reason=...}. Messages name sizes and counts only, never payload bytes.
 */
public final class IngestLimitException extends DecoderException {
    private final String reason;

    public IngestLimitException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** e.g. {@code message_size}, {@code before_publish_bytes}, {@code buffer_budget}. */
    public String reason() {
        return reason;
    }
}
