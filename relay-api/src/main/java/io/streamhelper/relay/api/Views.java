package io.streamhelper.relay.api;

import io.streamhelper.relay.catalog.service.KeysInUrls;
import io.streamhelper.relay.catalog.service.Platform;
import io.streamhelper.relay.catalog.service.RelayStatus;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.catalog.store.UserRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shapes of the API, in one place. A destination's stream key is never among them; a
 * stream's ingest key is, because only its owner can ever reach a stream.
 */
final class Views {
    private Views() {
    }

    static Map<String, Object> user(UserRecord u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("email", u.email());
        m.put("role", u.role().wireName());
        m.put("createdAt", u.createdAt().toString());
        return m;
    }

    /**
     * {@code isLive} stays true while the stream is reconnecting (its destinations are still
     * published); {@code state} says which, and {@code graceEndsAt} how long the relay waits.
     */
    static Map<String, Object> stream(StreamRecord s, OnAir onAir, String node, Map<String, String> ingestUrls) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("ownerId", s.ownerId());
        m.put("name", s.name());
        m.put("key", s.key().reveal());
        // The safer address (RTMPS when on) for clients that show one; every address by scheme in ingestUrls.
        m.put("ingestUrl", ingestUrls.values().iterator().next());
        m.put("ingestUrls", ingestUrls);
        m.put("isLive", onAir.onAir());
        m.put("state", onAir.state());
        m.put("graceEndsAt", onAir.graceEndsAtText());
        // The node relaying it (several nodes on one database); null while it is off the air.
        m.put("node", onAir.onAir() ? node : null);
        m.put("createdAt", s.createdAt().toString());
        m.put("updatedAt", s.updatedAt().toString());
        return m;
    }

    static Map<String, Object> destination(DestinationRecord d, RelayStatus status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("streamId", d.streamId());
        m.put("ownerId", d.ownerId());
        m.put("platform", d.platform());
        m.put("enabled", d.enabled());
        // Masked: a destination saved before keys were refused in URLs may still hold one there.
        m.put("rtmpUrl", KeysInUrls.masked(d.rtmpUrl()));
        m.put("displayName", d.displayName());
        m.put("videoTrack", d.videoTrack());
        m.put("audioTrack", d.audioTrack());
        // What it takes: the user's restriction, else the platform's list; null: any codec.
        m.put("videoCodecs", videoCodecs(d));
        m.put("createdAt", d.createdAt().toString());
        m.put("updatedAt", d.updatedAt().toString());
        m.put("status", status(status));
        return m;
    }

    private static java.util.List<String> videoCodecs(DestinationRecord d) {
        if (!d.videoCodecs().isEmpty()) {
            return d.videoCodecs();
        }
        java.util.List<String> platform = Platform.fromWireName(d.platform()).orElse(Platform.CUSTOM).videoCodecs();
        return platform.isEmpty() ? null : platform;
    }

    private static Map<String, Object> status(RelayStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state());
        m.put("since", s.since() == null ? null : s.since().toString());
        m.put("bytesSent", s.bytesSent());
        m.put("bitrateKbps", Math.round(s.bitrateKbps() * 10) / 10.0);
        m.put("reconnects", s.reconnects());
        m.put("lastError", s.lastError());
        return m;
    }

    static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }
}
