package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.testkit.RawHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything the HTTP server refuses is a 4xx (or 505) with {@code Content-Type: application/json}
 * and an {@code error} naming the problem: Jackson's leniencies (trailing data, duplicate keys),
 * ids in other scripts' digits, and what Jetty refuses before Javalin sees a request (malformed
 * URIs, oversized headers, unknown versions), sent as raw bytes over a real socket. Bodies are
 * bounded however they are sent: chunked bodies past RELAY_MAX_BODY_BYTES are a 413 on every
 * route, public and unknown ones included, as are declared lengths past it.
 */
class HttpRefusalsTest {
    private static final String PASSWORD = "correct horse battery";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Asserts status, JSON content type and an error mentioning {@code words}; returns the error. */
    private static String assertJsonError(int status, int actualStatus, String contentType, String body, String words)
            throws Exception {
        assertEquals(status, actualStatus, body);
        assertTrue(contentType != null && contentType.startsWith("application/json"), "JSON, not " + contentType + ": " + body);
        JsonNode json = JSON.readTree(body);
        String error = json.path("error").asText();
        assertTrue(error.toLowerCase().contains(words), "error names the problem (" + words + "): " + body);
        return error;
    }

    private static String assertJsonError(int status, ApiFixture.Response response, String words) throws Exception {
        return assertJsonError(status, response.status(), response.raw().headers().firstValue("Content-Type").orElse(null),
                response.body(), words);
    }

    private static String assertJsonError(int status, RawHttp.Response response, String words) throws Exception {
        return assertJsonError(status, response.status(), response.header("Content-Type"), response.body(), words);
    }

    @Test
    void trailingDataAndDuplicateKeysAreNotJson() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String token = api.userToken("alice@example.com");
                assertJsonError(400, api.post("/api/v1/streams", "{\"name\":\"x\"} xyz", token), "after the json");
                assertJsonError(400, api.post("/api/v1/streams", "{\"name\":\"x\"}{\"name\":\"y\"}", token), "after the json");
                assertJsonError(400, api.post("/api/v1/streams", "{\"name\":\"x\",\"name\":\"y\"}", token), "twice");
                assertJsonError(400, api.post("/api/v1/auth/login", "{\"email\":\"alice@example.com\",\"password\":\"wrong\","
                        + "\"password\":\"" + PASSWORD + "\"}", null), "twice");
                assertEquals("body", api.post("/api/v1/streams", "{\"name\":\"x\"} xyz", token).json().get("field").asText());
                assertEquals(0, api.get("/api/v1/streams", token).json().size(), "nothing was created");
                // trailing white space is still fine
                assertEquals(201, api.post("/api/v1/streams", "{\"name\":\"x\"}  \r\n", token).status());
            });
        }
    }

    @Test
    void idsAreAsciiDigitsOnly() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                String token = api.userToken("alice@example.com");
                long id = api.post("/api/v1/streams", "{\"name\":\"One\"}", token).json().get("id").asLong();
                assertEquals(1, id);
                assertEquals(200, api.get("/api/v1/streams/1", token).status());
                // Arabic-Indic one, full-width one, Devanagari one, a sign, past Long.MAX_VALUE
                for (String bad : new String[] {"%D9%A1", "%EF%BC%91", "%E0%A5%A7", "+1", "%2B1", "-1", "0",
                        "99999999999999999999", "1e0", "%201"}) {
                    assertJsonError(400, api.get("/api/v1/streams/" + bad, token), "positive whole number");
                    assertJsonError(400, api.send("DELETE", "/api/v1/streams/" + bad, null, token), "positive whole number");
                    assertJsonError(400, api.get("/api/v1/stream-destinations/stream/" + bad, token), "positive whole number");
                }
                assertEquals(200, api.get("/api/v1/streams/1", token).status(), "nothing was deleted");
            });
        }
    }

    @Test
    void whatJettyRefusesIsJsonToo() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                int port = api.port();
                assertJsonError(400, RawHttp.exchange(port, "GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n"), "bad request");
                assertJsonError(400, RawHttp.exchange(port, "GET /api/v1/% HTTP/1.1\r\nHost: x\r\n\r\n"), "bad request");
                assertJsonError(400, RawHttp.exchange(port, "GET /api/v1/a%00b HTTP/1.1\r\nHost: x\r\n\r\n"), "bad request");
                assertJsonError(400, RawHttp.exchange(port, "GET /api/\u0001 HTTP/1.1\r\nHost: x\r\n\r\n"), "illegal character");
                assertJsonError(400, RawHttp.exchange(port, "G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), "illegal character");
                assertJsonError(400, RawHttp.exchange(port, "GET / HTTP/1.1\r\n\r\n"), "no host");
                assertJsonError(400, RawHttp.exchange(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"), "content-length");
                assertJsonError(400, RawHttp.exchange(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: abc\r\n\r\n"), "bad request");
                assertJsonError(505, RawHttp.exchange(port, "GET / HTTP/9.9\r\nHost: x\r\n\r\n"), "version");
                assertJsonError(404, RawHttp.exchange(port, "FOO /api/v1/streams HTTP/1.1\r\nHost: x\r\n"
                        + "Connection: close\r\n\r\n"), "not found");
                assertJsonError(417, RawHttp.exchange(port, "GET /api/v1/server/healthcheck HTTP/1.1\r\nHost: x\r\n"
                        + "Expect: 100-whatever\r\n\r\n"), "refused");
                String huge = "a".repeat(20_000);
                assertJsonError(431, RawHttp.exchange(port, "GET /api/v1/server/healthcheck HTTP/1.1\r\nHost: x\r\n"
                        + "X-Big: " + huge + "\r\n\r\n"), "headers are too large");
                assertJsonError(414, api.send("GET", "/api/v1/server/healthcheck?" + huge, null, null), "too long");
                // a body whose chunked encoding is broken: a 400 naming it, not an empty 500
                assertJsonError(400, RawHttp.exchange(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "chunked");
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status(), "and the server still answers");
            });
        }
    }

    @Test
    void chunkedBodiesPastTheLimitAre413OnEveryRoute() throws Exception {
        try (ApiFixture api = ApiFixture.openSignUp(dir)) {
            api.test(() -> {
                int port = api.port();
                String token = api.userToken("alice@example.com");
                long body = 10L * 1024 * 1024;
                long pause = 1024 * 1024; // the client waits there for an answer: one due at 64 KiB comes

                for (String route : new String[] {"POST /api/v1/auth/login", "POST /api/v1/auth/register",
                        "GET /api/v1/server/healthcheck", "POST /api/v1/no-such-route", "POST /api/v1/streams"}) {
                    RawHttp.Streamed streamed = RawHttp.chunked(port, route + " HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: application/json\r\nAuthorization: Bearer " + token, body, pause);
                    if (route.equals("GET /api/v1/server/healthcheck")) {
                        // a route that never reads its body answers without reading it
                        assertEquals(200, streamed.response().status(), streamed.response().body());
                    } else if (route.equals("POST /api/v1/no-such-route")) {
                        assertJsonError(404, streamed.response(), "not found");
                    } else {
                        String error = assertJsonError(413, streamed.response(), "too large");
                        assertEquals("request body is too large", error);
                    }
                    assertTrue(streamed.bytesSentBeforeResponse() <= pause,
                            route + " answered before the body ended: " + streamed.bytesSentBeforeResponse());
                }
                // a body exactly at the limit is read (and refused only for what it says)
                RawHttp.Streamed atLimit = RawHttp.chunked(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json", 64 * 1024);
                assertJsonError(400, atLimit.response(), "not valid json");
                assertEquals(0, api.get("/api/v1/streams", token).json().size(), "nothing was created");
            });
        }
    }

    @Test
    void aDeclaredLengthPastTheLimitIs413BeforeAnythingIsRead() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                int port = api.port();
                // The body is never sent: the answer must not wait for it.
                for (String route : new String[] {"POST /api/v1/auth/login", "POST /api/v1/no-such-route",
                        "PUT /api/v1/server/healthcheck", "POST /api/v1/streams"}) {
                    RawHttp.Response refused = RawHttp.exchange(port, route + " HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 10485760\r\n\r\n{\"email\":");
                    assertEquals("request body is too large", assertJsonError(413, refused, "too large"), route);
                }
            });
        }
    }
}
