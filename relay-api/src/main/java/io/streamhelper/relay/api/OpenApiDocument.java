package io.streamhelper.relay.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * GET /api/v1/openapi.json: the OpenAPI 3 description of every route, a hand-kept file
 * ({@link #RESOURCE}) served as it is. Hand-kept rather than generated from annotations: the
 * routes stay plain lambdas in {@link ApiServer#routes}, and OpenApiCoverageTest compares the
 * file with the routes Javalin really has, so neither can change without the other. Read and
 * parsed once at start, so a broken file stops the server instead of being served.
 */
final class OpenApiDocument {
    static final String RESOURCE = "openapi.json";
    /** The document changes only with the server's version; clients revalidate with the ETag. */
    static final String CACHE_CONTROL = "public, max-age=300";

    private final byte[] body;
    private final String etag;

    OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            body = in.readAllBytes();
            new ObjectMapper().readTree(body); // fails here, at start, if the file is not JSON
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + " is not readable JSON", e);
        }
        etag = "\"" + HexFormat.of().formatHex(Arrays.copyOf(sha256(body), 16)) + "\"";
    }

    void get(Context ctx) {
        ctx.header("Cache-Control", CACHE_CONTROL);
        ctx.header("ETag", etag);
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json");
        ctx.result(body);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
