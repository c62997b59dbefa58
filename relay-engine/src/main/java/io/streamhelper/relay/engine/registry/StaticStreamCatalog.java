package io.streamhelper.relay.engine.registry;

import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Streams and destinations fixed at start-up (from a configuration file, or built by a test).
 * The database-backed catalog replaces it once accounts exist.
 */
public final class StaticStreamCatalog implements PublishAuthorizer, DestinationDirectory {

    /** One configured stream: the ingest key that opens it and where it goes. */
    public record Entry(StreamGrant grant, Secret ingestKey, List<DestinationTarget> destinations) {
        public Entry {
            Objects.requireNonNull(grant, "grant");
            Objects.requireNonNull(ingestKey, "ingestKey");
            destinations = List.copyOf(destinations);
        }
    }

    private final List<Entry> entries;

    public StaticStreamCatalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    @Override
    public Optional<StreamGrant> authorize(String streamKey) {
        // Compare against every entry without stopping early: the time taken says nothing about keys.
        StreamGrant found = null;
        for (Entry entry : entries) {
            if (entry.ingestKey().matches(streamKey) && found == null) {
                found = entry.grant();
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public List<DestinationTarget> destinationsOf(String streamId) {
        return entries.stream()
                .filter(e -> e.grant().streamId().equals(streamId))
                .findFirst()
                .map(Entry::destinations)
                .orElse(List.of());
    }

    public List<Entry> entries() {
        return entries;
    }
}
