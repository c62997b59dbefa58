package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web app for streamers at {@code /}: one HTML shell and its JavaScript modules and style
 * sheet from {@code web/} on the classpath, read once at start. Only the files listed here are
 * served (no path from the request reaches the class loader). The page holds no data: its
 * scripts call the API with the bearer token they keep in sessionStorage. The policy allows
 * scripts and styles from this server only, so no inline script or style attribute can run.
 */
final class WebApp {
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'"
            + "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    static final List<String> ASSETS = List.of("app.css", "api.js", "dom.js", "main.js", "auth.js", "streams.js",
            "stream.js", "encoder.js", "live.js", "destinations.js", "sessions.js", "admin.js", "format.js");

    private record Asset(String contentType, byte[] body) {
    }

    private final Asset index;
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    WebApp() {
        index = load("index.html");
        for (String name : ASSETS) {
            assets.put(name, load(name));
        }
    }

    void index(Context ctx) {
        send(ctx, index);
    }

    void asset(Context ctx) {
        Asset asset = assets.get(ctx.pathParam("file"));
        if (asset == null) {
            throw new NotFoundResponse("no such file");
        }
        send(ctx, asset);
    }

    /** The same security headers as every page of this server (the /stat page's, plus framing). */
    private static void send(Context ctx, Asset asset) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        // Small files; a new version of the server must never run with an old script.
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(asset.contentType());
        ctx.result(asset.body());
    }

    private static Asset load(String name) {
        try (InputStream in = WebApp.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web/" + name + " is missing from the classpath");
            }
            return new Asset(contentType(name), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/html; charset=utf-8";
    }
}
