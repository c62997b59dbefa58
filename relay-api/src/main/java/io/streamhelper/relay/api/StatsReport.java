package io.streamhelper.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The body of GET /api/v1/stats: the streams on air (live or reconnecting) this caller may see,
 * on every node of the service, each with its destinations and the {@code node} that relays it.
 * This node's streams are read from its registry now; another node's as it last published them
 * (a few seconds old). Built from names, addresses and counters only; no key is ever read here.
 */
record StatsReport(String generatedAt, List<JsonNode> streams) {

    /** This node's streams only (a single node). */
    static StatsReport of(StreamRegistry registry, Caller caller, Instant now, StreamNames names) {
        return of(new ServiceView("local", registry, OtherNodes.NONE), caller, now, names);
    }

    static StatsReport of(ServiceView service, Caller caller, Instant now, StreamNames names) {
        StreamRegistry registry = service.registry();
        List<LiveStream> shown = registry.liveStreams().stream()
                .filter(stream -> caller.mayRead(stream.ownerId()))
                .filter(stream -> stream.state() != StreamState.ENDED) // ending: about to leave the registry
                .toList();
        List<OtherNodes.RemoteStream> remote = service.remoteStreams().stream()
                .filter(stream -> caller.mayRead(stream.ownerId()))
                .toList();
        List<String> ids = new ArrayList<>(shown.stream().map(LiveStream::id).toList());
        remote.forEach(stream -> ids.add(stream.streamId()));
        Map<String, String> current = currentNames(ids, names);
        List<JsonNode> visible = new ArrayList<>();
        for (LiveStream stream : shown) {
            StreamStats stats = StreamStats.of(stream, current.getOrDefault(stream.id(), stream.name()), registry.relays(stream), now);
            ObjectNode entry = RemoteReport.JSON.valueToTree(stats);
            entry.put("node", service.nodeId());
            visible.add(entry);
        }
        for (OtherNodes.RemoteStream stream : remote) {
            remoteEntry(stream, current).ifPresent(visible::add);
        }
        visible.sort(Comparator.comparing((JsonNode s) -> s.path("name").asText()).thenComparing(s -> s.path("id").asText()));
        return new StatsReport(now.toString(), List.copyOf(visible));
    }

    /**
     * Another node's entry with its current name and the node it is on (the node's row says which
     * node, not the entry: a node cannot speak for another); one that cannot be read is left out.
     */
    private static Optional<JsonNode> remoteEntry(OtherNodes.RemoteStream stream, Map<String, String> current) {
        return RemoteReport.parse(stream).map(entry -> {
            entry.put("id", stream.streamId());
            String name = current.get(stream.streamId());
            if (name != null) {
                entry.put("name", name);
            } else if (!entry.path("name").isTextual()) {
                entry.put("name", stream.streamId());
            }
            entry.put("state", OnAir.of(stream).state());
            entry.put("node", stream.nodeId());
            return entry;
        });
    }

    /** The stored names; the grants' names while the database does not answer (the stats still matter then). */
    private static Map<String, String> currentNames(List<String> ids, StreamNames names) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        try {
            return names.of(ids);
        } catch (RuntimeException databaseDown) {
            return Map.of();
        }
    }
}
