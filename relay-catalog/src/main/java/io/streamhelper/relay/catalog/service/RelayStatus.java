package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.engine.destination.DestinationRelay;
import java.time.Instant;

/**
 * What is happening to a destination right now, as the API shows it beside what the user asked
 * for ({@code enabled}). A destination with no running relay (its stream is not live, or it is
 * disabled) is {@code idle}.
 */
public record RelayStatus(String state, Instant since, long bytesSent, double bitrateKbps, long reconnects,
                          String lastError) {

    public static RelayStatus idle() {
        return new RelayStatus("idle", null, 0, 0, 0, null);
    }

    public static RelayStatus of(DestinationRelay relay) {
        return new RelayStatus(relay.state().wireName(), relay.since(), relay.bytesSent(),
                relay.bitrateKbps(), relay.reconnects(), relay.lastError());
    }
}
