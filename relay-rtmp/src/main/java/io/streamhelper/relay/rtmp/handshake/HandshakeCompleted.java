package io.streamhelper.relay.rtmp.handshake;

/** User event fired down the pipeline when a handshake handler has finished and removed itself. */
public enum HandshakeCompleted {
    INSTANCE
}
