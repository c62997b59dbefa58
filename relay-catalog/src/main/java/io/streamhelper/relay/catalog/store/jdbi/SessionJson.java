package io.streamhelper.relay.catalog.store.jdbi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamhelper.relay.engine.session.SessionReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code stream_sessions.destinations} column: a session's destinations as JSON, times as
 * epoch milliseconds like every other time column. Written out field by field, so what is stored
 * is exactly what is listed here (a field added to the report does not land in the database
 * unnoticed).
 */
final class SessionJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private SessionJson() {
    }

    static String write(List<SessionReport.Destination> destinations) {
        List<Map<String, Object>> out = new ArrayList<>(destinations.size());
        for (SessionReport.Destination d : destinations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", d.id());
            m.put("name", d.name());
            m.put("platform", d.platform());
            m.put("host", d.host());
            m.put("liveMillis", d.liveMillis());
            m.put("bytesSent", d.bytesSent());
            m.put("framesSent", d.framesSent());
            m.put("framesDropped", d.framesDropped());
            m.put("reconnects", d.reconnects());
            List<Map<String, Object>> transitions = new ArrayList<>(d.transitions().size());
            for (SessionReport.Transition t : d.transitions()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("at", t.at().toEpochMilli());
                tm.put("state", t.state());
                tm.put("error", t.error());
                transitions.add(tm);
            }
            m.put("transitions", transitions);
            m.put("transitionsOmitted", d.transitionsOmitted());
            out.add(m);
        }
        try {
            return MAPPER.writeValueAsString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<SessionReport.Destination> read(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json == null ? "[]" : json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SessionReport.Destination> destinations = new ArrayList<>();
        for (JsonNode d : root) {
            List<SessionReport.Transition> transitions = new ArrayList<>();
            for (JsonNode t : d.path("transitions")) {
                JsonNode error = t.path("error");
                transitions.add(new SessionReport.Transition(Instant.ofEpochMilli(t.path("at").asLong()),
                        t.path("state").asText(), error.isTextual() ? error.asText() : null));
            }
            destinations.add(new SessionReport.Destination(d.path("id").asText(), d.path("name").asText(),
                    d.path("platform").asText(), d.path("host").asText(), d.path("liveMillis").asLong(),
                    d.path("bytesSent").asLong(), d.path("framesSent").asLong(), d.path("framesDropped").asLong(),
                    d.path("reconnects").asLong(), transitions, d.path("transitionsOmitted").asLong()));
        }
        return destinations;
    }
}
