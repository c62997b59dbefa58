package io.streamhelper.relay.api;

import io.streamhelper.relay.catalog.service.StreamSessionService;
import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.engine.session.SessionReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of stream sessions (docs/api.md, "Stream sessions"). Field by field, like {@link Views}:
 * nothing reaches a response that is not listed here, and nothing listed carries a key (the
 * stored record names a destination's host, never its URL path).
 */
final class SessionViews {
    private SessionViews() {
    }

    static Map<String, Object> page(StreamSessionService.Page page) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessions", page.sessions().stream().map(SessionViews::session).toList());
        m.put("next", page.next() == null ? null : String.valueOf(page.next()));
        return m;
    }

    static Map<String, Object> session(StreamSessionRecord s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("streamId", s.streamId());
        m.put("live", s.isLive());
        m.put("startedAt", s.startedAt().toString());
        m.put("endedAt", s.endedAt() == null ? null : s.endedAt().toString());
        m.put("endReason", s.endReason());
        m.put("bytesIn", s.bytesIn());
        m.put("videoFrames", s.videoFrames());
        m.put("publisherReconnects", s.publisherReconnects());
        m.put("destinations", s.destinations().stream().map(SessionViews::destination).toList());
        return m;
    }

    private static Map<String, Object> destination(SessionReport.Destination d) {
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
        m.put("transitions", transitions(d.transitions()));
        m.put("transitionsOmitted", d.transitionsOmitted());
        return m;
    }

    private static List<Map<String, Object>> transitions(List<SessionReport.Transition> transitions) {
        return transitions.stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", t.at().toString());
            m.put("state", t.state());
            m.put("error", t.error());
            return m;
        }).toList();
    }
}
