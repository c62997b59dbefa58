package io.streamhelper.relay.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the status JSON another node wrote with its heartbeat (relay-api's
 * {@code ApiServer.localStatusJson()}: {@code {"node":..,"streams":[{"id","ownerId","state",
 * "destinations":{id:{status,lastError,since,bytesSent,bitrateKbps,reconnects}},"report":{..}}]}}).
 * It comes from another process (its own text is never logged: it could hold anything), maybe of another version: fields it does not know are ignored,
 * counters it lacks are 0; what does not have the shape at all is {@link Malformed}. The node a
 * stream is on is the row's node id, never what the JSON says.
 */
public final class NodeStatus {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The status cannot be read as a node's streams; why, without quoting it (it could be anything). */
    public static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    private NodeStatus() {
    }

    public static List<OtherNodes.RemoteStream> streams(String nodeId, String status) throws Malformed {
        if (status == null || status.isBlank()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(status);
        } catch (JsonProcessingException e) {
            throw new Malformed("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Malformed("not a JSON object");
        }
        JsonNode streams = root.path("streams");
        if (streams.isMissingNode()) {
            return List.of(); // '{}': a node that has not published yet
        }
        if (!streams.isArray()) {
            throw new Malformed("streams is not an array");
        }
        List<OtherNodes.RemoteStream> read = new ArrayList<>();
        for (JsonNode stream : streams) {
            read.add(stream(nodeId, stream));
        }
        return List.copyOf(read);
    }

    private static OtherNodes.RemoteStream stream(String nodeId, JsonNode stream) throws Malformed {
        JsonNode id = stream.path("id");
        if (!stream.isObject() || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            throw new Malformed("a stream without an id");
        }
        JsonNode report = stream.path("report");
        if (!report.isObject()) {
            throw new Malformed("a stream without a report object");
        }
        Map<String, OtherNodes.RemoteDestination> destinations = new LinkedHashMap<>();
        JsonNode given = stream.path("destinations");
        if (!given.isMissingNode() && !given.isObject()) {
            throw new Malformed("a stream whose destinations are not an object");
        }
        var fields = given.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            JsonNode d = field.getValue();
            if (!d.isObject() || !d.path("status").isTextual()) {
                throw new Malformed("a destination without a status");
            }
            destinations.put(field.getKey(), new OtherNodes.RemoteDestination(d.get("status").asText(),
                    text(d, "lastError"), text(d, "since"), d.path("bytesSent").asLong(0),
                    d.path("bitrateKbps").asDouble(0), d.path("reconnects").asLong(0)));
        }
        String state = stream.path("state").isTextual() ? stream.get("state").asText() : "live";
        long owner = stream.path("ownerId").isIntegralNumber() ? stream.get("ownerId").asLong() : OtherNodes.UNKNOWN_OWNER;
        return new OtherNodes.RemoteStream(nodeId, id.asText(), state, Map.copyOf(destinations), report.toString(), owner);
    }

    private static Optional<String> text(JsonNode object, String field) {
        JsonNode value = object.path(field);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }
}
