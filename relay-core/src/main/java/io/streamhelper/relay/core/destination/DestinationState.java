package io.streamhelper.relay.core.destination;

/** What is happening to one destination right now (what the user wants is kept elsewhere). */
public enum DestinationState {
    IDLE,
    CONNECTING,
    LIVE,
    /** Lost the connection; a reconnect is scheduled. */
    RETRYING,
    /** The destination refused us; retried only rarely. */
    REJECTED,
    STOPPED
}
