package io.streamhelper.relay.api;

import io.streamhelper.relay.catalog.service.StreamSessionService;
import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.session.SessionSoFar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The JSON of stream sessions (docs/api.md, "Stream sessions"). Field by field, like {@link Views}:
 * nothing reaches a response that is not listed here, and nothing listed carries a key (the
 * stored record names a destination's host, never its URL path; the engine's session so far
 * neither).
 *
 * <p>A session still live has an open row with nothing in it yet (it is completed when the
 * session ends): its counters and destinations come from the engine's {@link SessionSoFar}
 * instead, looked up by stream id, when it is the same session (the same start; an open row
 * left by an earlier session whose completion failed is not this one).
 */
final class SessionViews {
    private SessionViews() {
    }

    static Map<String, Object> page(StreamSessionService.Page page, LongFunction<Optional<SessionSoFar>> live) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessions", page.sessions().stream().map(s -> session(s, live)).toList());
        m.put("next", page.next() == null ? null : String.valueOf(page.next()));
        return m;
    }

    /** @param live the stream's session so far, by stream id, if it is live now; asked only for an open row */
    static Map<String, Object> session(StreamSessionRecord s, LongFunction<Optional<SessionSoFar>> live) {
        Optional<SessionSoFar> now = s.isLive()
                ? live.apply(s.streamId()).filter(so -> so.startedAt().toEpochMilli() == s.startedAt().toEpochMilli())
                : Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("streamId", s.streamId());
        m.put("live", s.isLive());
        m.put("startedAt", s.startedAt().toString());
        m.put("endedAt", s.endedAt() == null ? null : s.endedAt().toString());
        m.put("endReason", s.endReason());
        m.put("bytesIn", now.map(SessionSoFar::bytesIn).orElse(s.bytesIn()));
        m.put("videoFrames", now.map(SessionSoFar::videoFrames).orElse(s.videoFrames()));
        m.put("publisherReconnects", now.map(SessionSoFar::publisherReconnects).orElse(s.publisherReconnects()));
        List<SessionReport.Destination> destinations = now.map(SessionSoFar::destinations).orElse(s.destinations());
        m.put("destinations", destinations.stream().map(SessionViews::destination).toList());
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
        // The last state entered: what it is doing now while live, how it ended afterwards.
        List<SessionReport.Transition> ts = d.transitions();
        m.put("state", ts.isEmpty() ? null : ts.get(ts.size() - 1).state());
        m.put("transitions", transitions(ts));
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
