package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.service.DestinationService;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import java.util.Map;
import java.util.Set;

/** Destinations of a streamer's streams, each with its live relay status. */
final class DestinationController {
    /** More names than there are video codecs a relay knows is a mistake, not a wish. */
    private static final int MAX_CODECS = 8;
    private final DestinationService destinations;

    DestinationController(DestinationService destinations) {
        this.destinations = destinations;
    }

    void create(Context ctx) {
        JsonBody body = JsonBody.of(ctx, Set.of("streamId", "platform", "streamKey", "rtmpUrl", "displayName", "enabled",
                "videoCodecs"));
        DestinationRecord created = destinations.create(caller(ctx), new DestinationService.NewDestination(
                body.requiredId("streamId"), body.requiredString("platform"), body.requiredString("streamKey"),
                body.optionalString("rtmpUrl"), body.optionalString("displayName"), body.optionalBoolean("enabled"),
                body.nullableStringList("videoCodecs", MAX_CODECS)));
        ctx.status(201).json(view(created));
    }

    void list(Context ctx) {
        ctx.json(destinations.list(caller(ctx)).stream().map(this::view).toList());
    }

    void listByStream(Context ctx) {
        ctx.json(destinations.listByStream(caller(ctx), JsonBody.pathId(ctx, "streamId")).stream().map(this::view).toList());
    }

    void get(Context ctx) {
        ctx.json(view(destinations.get(caller(ctx), JsonBody.pathId(ctx, "id"))));
    }

    void update(Context ctx) {
        long id = JsonBody.pathId(ctx, "id");
        JsonBody body = JsonBody.of(ctx, Set.of("enabled", "streamKey", "rtmpUrl", "displayName", "videoCodecs"));
        ctx.json(view(destinations.update(caller(ctx), id, new DestinationService.Update(body.optionalBoolean("enabled"),
                body.optionalString("streamKey"), body.optionalString("rtmpUrl"), body.optionalString("displayName"),
                body.nullableStringList("videoCodecs", MAX_CODECS)))));
    }

    void delete(Context ctx) {
        destinations.delete(caller(ctx), JsonBody.pathId(ctx, "id"));
        ctx.status(204);
    }

    private Map<String, Object> view(DestinationRecord d) {
        return Views.destination(d, destinations.status(d));
    }

    private static long caller(Context ctx) {
        return Caller.of(ctx).orElseThrow().userId();
    }
}
