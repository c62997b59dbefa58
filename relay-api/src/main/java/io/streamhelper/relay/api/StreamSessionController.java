package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;
import io.streamhelper.relay.catalog.service.StreamSessionService;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.session.SessionSoFar;
import io.streamhelper.relay.engine.stream.LiveStream;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What happened during a stream's broadcasts, the one on air included: thin handlers; ownership
 * is the service's job, the live session's state so far the registry's.
 */
final class StreamSessionController {
    private static final Pattern WHOLE = Pattern.compile("[0-9]{1,19}");

    private final StreamSessionService sessions;
    private final StreamRegistry registry;

    StreamSessionController(StreamSessionService sessions, StreamRegistry registry) {
        this.sessions = sessions;
        this.registry = registry;
    }

    private Optional<SessionSoFar> live(long streamId) {
        return registry.liveStream(String.valueOf(streamId)).map(LiveStream::sessionSoFar);
    }

    /** {@code ?limit=1..100} (20), {@code ?before=<a previous page's next>}. */
    void list(Context ctx) {
        long streamId = JsonBody.pathId(ctx, "id");
        int limit = (int) query(ctx, "limit", StreamSessionService.DEFAULT_PAGE, StreamSessionService.MAX_PAGE,
                "limit must be a whole number from 1 to " + StreamSessionService.MAX_PAGE);
        String rawBefore = ctx.queryParam("before");
        Long before = rawBefore == null ? null
                : query(ctx, "before", 0, Long.MAX_VALUE, "before must be a positive whole number (a page's next)");
        ctx.json(SessionViews.page(sessions.page(caller(ctx), streamId, limit, before), this::live));
    }

    void get(Context ctx) {
        long streamId = JsonBody.pathId(ctx, "id");
        long sessionId = JsonBody.pathId(ctx, "sessionId");
        ctx.json(SessionViews.session(sessions.get(caller(ctx), streamId, sessionId), this::live));
    }

    /** A positive whole query parameter up to {@code max}, or {@code absent} when not given; anything else is a 400 naming it. */
    private static long query(Context ctx, String name, long absent, long max, String problem) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return absent;
        }
        if (WHOLE.matcher(raw).matches()) {
            try {
                long value = Long.parseLong(raw);
                if (value >= 1 && value <= max) {
                    return value;
                }
            } catch (NumberFormatException pastLong) {
                // falls through to the 400
            }
        }
        throw new InvalidField(name, problem);
    }

    private static long caller(Context ctx) {
        return Caller.of(ctx).orElseThrow().userId();
    }
}
