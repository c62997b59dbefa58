package io.streamhelper.relay.api;

import io.javalin.security.RouteRole;

/** Who may call a route: anyone, or a caller with a valid bearer token. */
enum Access implements RouteRole {
    /** No token needed: sign-up, login, health check, the stats page's HTML. */
    PUBLIC,
    /** A valid bearer token; the caller's data only. */
    USER
}
