package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.engine.destination.DestinationRelay;
import java.time.Instant;
import java.time.format.DateTimeParseException;

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

    /** As another node published it; a {@code since} it wrote unreadably is left out, not a failure. */
    public static RelayStatus of(OtherNodes.RemoteDestination remote) {
        Instant since = remote.since().map(text -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }).orElse(null);
        return new RelayStatus(remote.status(), since, remote.bytesSent(), remote.bitrateKbps(), remote.reconnects(),
                remote.lastError().orElse(null));
    }

    public static RelayStatus of(DestinationRelay relay) {
        return new RelayStatus(relay.state().wireName(), relay.since(), relay.bytesSent(),
                relay.bitrateKbps(), relay.reconnects(), relay.lastError());
    }
}
