package io.streamhelper.relay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The stats entry another node published for a stream it relays (a {@link StreamStats} as JSON).
 * Read defensively: it comes from another process, maybe of another version; what cannot be read
 * is left out, never a failed request.
 */
final class RemoteReport {
    static final ObjectMapper JSON = new ObjectMapper();

    private RemoteReport() {
    }

    /** The entry as a JSON object, or empty when it is not one. */
    static Optional<ObjectNode> parse(OtherNodes.RemoteStream remote) {
        if (remote.report() == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(remote.report());
            return node instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
        } catch (JsonProcessingException unreadable) {
            return Optional.empty();
        }
    }

    /** An instant field of the entry, or null when absent or unreadable. */
    static Instant instant(OtherNodes.RemoteStream remote, String field) {
        return parse(remote).map(report -> report.get(field)).filter(JsonNode::isTextual).map(text -> {
            try {
                return Instant.parse(text.asText());
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }).orElse(null);
    }
}
