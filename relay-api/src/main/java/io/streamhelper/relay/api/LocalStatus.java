package io.streamhelper.relay.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * What this node publishes about its own streams in its heartbeat (every 2 s, into
 * {@code relay_nodes.status}), so that every other node's API answers for the whole service:
 *
 * <pre>{"node":"a","generatedAt":"...","streams":[{"id":"7","ownerId":1,"state":"live",
 *   "destinations":{"12":{"status":"live","lastError":null,"since":"...","bytesSent":1,"bitrateKbps":2.5,"reconnects":0}},
 *   "report":{ ...the stream's entry of GET /api/v1/stats... }}],"omittedStreams":0}</pre>
 *
 * Made of the stats report's pieces, which name hosts and never URLs or keys. Bounded: it is
 * written every 2 s, so past {@link #MAX_BYTES} further streams are counted in
 * {@code omittedStreams} instead of listed (a few hundred streams fit), and an error text is cut at {@link #MAX_ERROR_CHARS}.
 */
final class LocalStatus {
    static final int MAX_BYTES = 256 * 1024;
    static final int MAX_ERROR_CHARS = 300;

    private final String nodeId;
    private final StreamRegistry registry;
    private final Clock clock;
    private final int maxBytes;

    LocalStatus(String nodeId, StreamRegistry registry, Clock clock) {
        this(nodeId, registry, clock, MAX_BYTES);
    }

    LocalStatus(String nodeId, StreamRegistry registry, Clock clock, int maxBytes) {
        this.nodeId = nodeId;
        this.registry = registry;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    String json() {
        Instant now = clock.instant();
        List<LiveStream> live = registry.liveStreams().stream()
                .filter(s -> s.state() != StreamState.ENDED)
                .sorted(Comparator.comparing(LiveStream::id))
                .toList();
        ArrayNode streams = RemoteReport.JSON.createArrayNode();
        int bytes = 200; // the envelope and the node id
        int omitted = 0;
        for (LiveStream stream : live) {
            ObjectNode entry = entry(stream, now);
            int size = entry.toString().getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + size > maxBytes) {
                omitted++;
                continue;
            }
            bytes += size;
            streams.add(entry);
        }
        ObjectNode status = RemoteReport.JSON.createObjectNode();
        status.put("node", nodeId);
        status.put("generatedAt", now.toString());
        status.set("streams", streams);
        status.put("omittedStreams", omitted);
        return status.toString();
    }

    private ObjectNode entry(LiveStream stream, Instant now) {
        List<DestinationRelay> relays = registry.relays(stream);
        ObjectNode entry = RemoteReport.JSON.createObjectNode();
        entry.put("id", stream.id());
        entry.put("ownerId", stream.ownerId());
        entry.put("state", OnAir.of(stream).state());
        ObjectNode destinations = entry.putObject("destinations");
        for (DestinationRelay relay : relays) {
            ObjectNode d = destinations.putObject(relay.target().id());
            d.put("status", relay.state().wireName());
            d.put("lastError", cut(relay.lastError()));
            d.put("since", relay.since() == null ? null : relay.since().toString());
            d.put("bytesSent", relay.bytesSent());
            d.put("bitrateKbps", Math.round(relay.bitrateKbps() * 10) / 10.0);
            d.put("reconnects", relay.reconnects());
        }
        ObjectNode report = RemoteReport.JSON.valueToTree(StreamStats.of(stream, stream.name(), relays, now));
        report.withArray("destinations").forEach(d -> {
            if (d instanceof ObjectNode object && object.path("lastError").isTextual()) {
                object.put("lastError", cut(object.get("lastError").asText()));
            }
        });
        entry.set("report", report);
        return entry;
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS - 1) + "…";
    }
}
