package io.streamhelper.relay.core.destination;

/**
 * Opens publishing connections to destinations. The RTMP/RTMPS client in relay-rtmp implements
 * it; relay-core only decides when to connect, what to send and when to give up.
 */
public interface DestinationConnector {
    /**
     * Starts connecting and publishing to the target. Returns at once; the listener later hears
     * {@link DestinationLink.Listener#onLive} when the destination accepted the publish, and
     * exactly one {@link DestinationLink.Listener#onClosed} when the link is gone for any reason.
     */
    DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener);
}
