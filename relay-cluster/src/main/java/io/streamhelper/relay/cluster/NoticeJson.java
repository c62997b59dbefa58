package io.streamhelper.relay.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * A {@link ClusterNotice} as the text of one NOTIFY: compact JSON,
 * {@code {"kind":"DESTINATIONS_CHANGED","stream":12,"from":"node-a"}} plus {@code "to"} when
 * addressed. Nothing else goes in (no key, no URL): a payload is a few dozen bytes, far below
 * PostgreSQL's 8000-byte limit. Reading is strict about what it needs and ignores fields it does
 * not know, so a newer node's notices still reach an older one.
 */
final class NoticeJson {
    /** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
    static final int MAX_PAYLOAD_BYTES = 7999;
    /** A node id is at most 63 characters (RELAY_NODE_ID); anything longer is not a node's notice. */
    private static final int MAX_NODE_ID = 63;
    private static final ObjectMapper JSON = new ObjectMapper();

    private NoticeJson() {
    }

    static String write(ClusterNotice notice) {
        ObjectNode node = JSON.createObjectNode()
                .put("kind", notice.kind().name())
                .put("stream", notice.streamId())
                .put("from", notice.from());
        notice.to().ifPresent(to -> node.put("to", to));
        return node.toString();
    }

    /** The notice, or empty when the text is not one (not JSON, a kind unknown here, a field missing or odd). */
    static Optional<ClusterNotice> read(String payload) {
        if (payload == null || payload.length() > MAX_PAYLOAD_BYTES) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode kind = node.get("kind");
        JsonNode stream = node.get("stream");
        JsonNode from = node.get("from");
        JsonNode to = node.get("to");
        if (kind == null || !kind.isTextual() || stream == null || !stream.canConvertToLong() || !stream.isIntegralNumber()
                || !nodeId(from) || (to != null && !to.isNull() && !nodeId(to))) {
            return Optional.empty();
        }
        ClusterNotice.Kind parsed;
        try {
            parsed = ClusterNotice.Kind.valueOf(kind.asText());
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
        Optional<String> addressee = to == null || to.isNull() ? Optional.empty() : Optional.of(to.asText());
        return Optional.of(new ClusterNotice(parsed, stream.asLong(), from.asText(), addressee));
    }

    private static boolean nodeId(JsonNode value) {
        return value != null && value.isTextual() && !value.asText().isEmpty() && value.asText().length() <= MAX_NODE_ID;
    }
}
