package io.streamhelper.relay.engine.destination;

import io.netty.util.concurrent.EventExecutor;

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

    /**
     * The same, with a hint: the executor that will call {@link DestinationLink#send}. A connector
     * that can run the link on that same thread (Netty: the publisher's event loop) saves a thread
     * hop and a wake-up per tag and destination; the default ignores the hint.
     */
    default DestinationLink connect(DestinationTarget target, EventExecutor sender, DestinationLink.Listener listener) {
        return connect(target, listener);
    }

    /**
     * The same, announcing the enhanced-RTMP codecs the link will carry ({@code fourCcList} in
     * connect, e.g. {@code ["hvc1"]}; empty for a legacy H.264/AAC stream, or while the stream's
     * codecs are not known yet). The default ignores them.
     */
    default DestinationLink connect(DestinationTarget target, EventExecutor sender, java.util.List<String> fourCcList,
            DestinationLink.Listener listener) {
        return connect(target, sender, listener);
    }

    /**
     * The timers the supervisor of a destination fed from {@code executor} (the stream's event
     * loop) runs on, and the connector's links with it: one clock for every timer of that
     * destination. Tests that stand in virtual time override this.
     */
    default Timers timers(EventExecutor executor) {
        return Timers.on(executor);
    }
}
