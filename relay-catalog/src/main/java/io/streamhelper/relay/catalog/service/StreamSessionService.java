package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.store.StreamSessionRecord;
import io.streamhelper.relay.catalog.store.StreamSessionStore;
import java.util.List;

/**
 * A stream's session history as its owner reads it after the show. Ownership is
 * {@link StreamService#get}'s: another user's stream is 403, one that does not exist 404.
 */
public final class StreamSessionService {
    public static final int DEFAULT_PAGE = 20;
    public static final int MAX_PAGE = 100;

    /** One page, newest first; {@code next} is the {@code before} of the following page, or null at the end. */
    public record Page(List<StreamSessionRecord> sessions, Long next) {
    }

    private final StreamService streams;
    private final StreamSessionStore store;

    public StreamSessionService(StreamService streams, StreamSessionStore store) {
        this.streams = streams;
        this.store = store;
    }

    /** @param before only sessions with a smaller id (a previous page's {@code next}); null: from the newest */
    public Page page(long callerId, long streamId, int limit, Long before) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new ServiceException.InvalidField("limit", "limit must be a whole number from 1 to " + MAX_PAGE);
        }
        streams.get(callerId, streamId);
        // One more than asked tells whether there is a next page without a count query.
        List<StreamSessionRecord> rows = store.page(streamId, before, limit + 1);
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<StreamSessionRecord> page = rows.subList(0, limit);
        return new Page(List.copyOf(page), page.get(limit - 1).id());
    }

    public StreamSessionRecord get(long callerId, long streamId, long sessionId) {
        streams.get(callerId, streamId);
        return store.find(streamId, sessionId).orElseThrow(() -> new ServiceException.NotFound("session"));
    }
}
