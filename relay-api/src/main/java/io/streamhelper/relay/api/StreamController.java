package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.service.StreamService;
import io.streamhelper.relay.catalog.store.StreamRecord;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A streamer's input streams: thin handlers; ownership is the service's job. */
final class StreamController {
    private final StreamService streams;
    private final ServiceView service;
    private final Optional<String> publicHost;
    private final ApiServer.IngestPorts ports;

    StreamController(StreamService streams, ServiceView service, Optional<String> publicHost, ApiServer.IngestPorts ports) {
        this.streams = streams;
        this.service = service;
        this.publicHost = publicHost;
        this.ports = ports;
    }

    void create(Context ctx) {
        JsonBody body = JsonBody.of(ctx, Set.of("name"));
        ctx.status(201).json(view(ctx, streams.create(caller(ctx), body.requiredString("name"))));
    }

    void list(Context ctx) {
        ctx.json(streams.list(caller(ctx)).stream().map(s -> view(ctx, s)).toList());
    }

    void get(Context ctx) {
        ctx.json(view(ctx, streams.get(caller(ctx), JsonBody.pathId(ctx, "id"))));
    }

    void rename(Context ctx) {
        long id = JsonBody.pathId(ctx, "id");
        JsonBody body = JsonBody.of(ctx, Set.of("name"));
        ctx.json(view(ctx, streams.rename(caller(ctx), id, body.requiredString("name"))));
    }

    void delete(Context ctx) {
        streams.delete(caller(ctx), JsonBody.pathId(ctx, "id"));
        ctx.status(204);
    }

    void rotateKey(Context ctx) {
        ctx.json(view(ctx, streams.rotateKey(caller(ctx), JsonBody.pathId(ctx, "id"))));
    }

    private Map<String, Object> view(Context ctx, StreamRecord s) {
        // The registry (or the node relaying it), not the stored flag: it knows a reconnecting stream from a live one.
        ServiceView.Where where = service.where(String.valueOf(s.id()));
        return Views.stream(s, where.onAir(), where.node(), ingestUrls(ctx));
    }

    /**
     * Where the streamer points OBS, by scheme ("rtmps" first when on: the key then crosses the
     * network encrypted): the configured public host, or the host this request came to (the API
     * and the ingest normally share a name). The key goes in OBS's separate key field. A port is
     * left out only where it is the scheme's default (1935 for rtmp, 443 for rtmps, as librtmp has them).
     */
    private Map<String, String> ingestUrls(Context ctx) {
        String host = publicHost.orElseGet(() -> {
            String h = ctx.host() == null ? "localhost" : ctx.host();
            return h.startsWith("[") ? h.substring(0, h.indexOf(']') + 1) : h.replaceAll(":\\d+$", "");
        });
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        ports.rtmps().ifPresent(port -> urls.put("rtmps", "rtmps://" + host + (port == 443 ? "" : ":" + port) + "/live"));
        ports.rtmp().ifPresent(port -> urls.put("rtmp", "rtmp://" + host + (port == 1935 ? "" : ":" + port) + "/live"));
        return urls;
    }

    private static long caller(Context ctx) {
        return Caller.of(ctx).orElseThrow().userId();
    }
}
