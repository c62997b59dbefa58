package io.streamhelper.relay.rtmp.chunk;

/**
 * User event fired by {@link ProtocolControlHandler} for every Acknowledgement the peer sends: proof
 * that it is still reading, for whoever watches for a peer that stopped.
 */
public enum PeerAcknowledged {
    INSTANCE
}
