package io.streamhelper.relay.engine.destination;

import java.io.IOException;

/**
 * A destination's connection failed, described in words the relay chose: the message names what
 * failed ("connection refused", "the server did not answer the RTMP handshake") and never carries
 * bytes the remote sent, so a destination's last error cannot be used to read banners or scan
 * ports. The underlying exception, with the detail, stays as the cause (for the operator's log).
 */
public final class DestinationFailure extends IOException {
    private static final long serialVersionUID = 1L;

    public DestinationFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
