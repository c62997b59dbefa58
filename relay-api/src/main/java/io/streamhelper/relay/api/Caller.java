package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.store.Role;
import java.util.Optional;

/**
 * Who is calling: set on the request by the authentication step (one {@code beforeMatched}) from a
 * valid bearer token, read by every controller that needs to know whose data it may show.
 */
public record Caller(long userId, Role role) {
    static final String ATTRIBUTE = "relay.caller";

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** May this caller see or change something owned by {@code ownerId}? Admins may see all. */
    public boolean mayRead(long ownerId) {
        return isAdmin() || ownerId == userId;
    }

    public static Optional<Caller> of(Context ctx) {
        return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
    }

    public static void set(Context ctx, Caller caller) {
        ctx.attribute(ATTRIBUTE, caller);
    }
}
