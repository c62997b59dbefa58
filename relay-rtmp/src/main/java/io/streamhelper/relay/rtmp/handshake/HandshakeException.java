package io.streamhelper.relay.rtmp.handshake;

import io.netty.handler.codec.DecoderException;

/** The peer does not speak RTMP (wrong version byte: often TLS or HTTP on the RTMP port). */
public final class HandshakeException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message);
    }
}
