package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.router.Endpoint;
import io.javalin.router.ParsedEndpoint;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * openapi.json against the server: every route Javalin really registers is described there and
 * nothing else is; the document is well-formed OpenAPI 3; and real answers (a stream, a destination,
 * errors, ...) carry exactly the properties its schemas list. Adding a route without describing it
 * fails here, naming the route and where to describe it.
 */
class OpenApiCoverageTest {
    static final String DOCUMENT_FILE = "relay-api/src/main/resources/io/streamhelper/relay/api/" + OpenApiDocument.RESOURCE;
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What the test holds of a route: method and path as the document writes them, and whether it is public. */
    record Route(String method, String path, boolean isPublic) {
        String name() {
            return method + " " + path;
        }
    }

    @Test
    void everyRegisteredRouteIsDescribedAndEveryDescribedRouteExists() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            JsonNode doc = document();
            Map<String, Route> registered = registeredRoutes(api.api.javalin());
            assertTrue(registered.containsKey("GET /api/v1/streams/{id}"), "the routes come from Javalin: " + registered.keySet());
            String problems = coverageProblems(registered, doc);
            if (!problems.isEmpty()) {
                fail(problems);
            }
        }
    }

    /** The check above must catch a route added without its description: it does, by name. */
    @Test
    void aRouteAddedWithoutDescriptionIsNamedWithWhereToDescribeIt() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.api.javalin().get("/api/v1/undescribed/{id}", ctx -> ctx.result("x"), Access.USER);
            String problems = coverageProblems(registeredRoutes(api.api.javalin()), document());
            assertTrue(problems.contains("GET /api/v1/undescribed/{id}"), problems);
            assertTrue(problems.contains(DOCUMENT_FILE) && problems.contains("\"/api/v1/undescribed/{id}\": {\"get\""), problems);
        }
    }

    /** The other way round: a route the document describes but the server lacks is named too. */
    @Test
    void aDescribedRouteTheServerDoesNotHaveIsNamed() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            Map<String, Route> registered = registeredRoutes(api.api.javalin());
            ObjectNode doc = (ObjectNode) document();
            ObjectNode paths = (ObjectNode) doc.get("paths");
            paths.set("/api/v1/phantom/{id}", paths.get("/api/v1/streams/{id}").deepCopy());
            ((ObjectNode) paths.get("/api/v1/streams/{id}/sessions")).set("delete",
                    paths.get("/api/v1/streams/{id}").get("delete").deepCopy());
            String problems = coverageProblems(registered, doc);
            for (String phantom : List.of("GET /api/v1/phantom/{id}", "PUT /api/v1/phantom/{id}",
                    "DELETE /api/v1/phantom/{id}", "DELETE /api/v1/streams/{id}/sessions")) {
                assertTrue(problems.contains("\n  " + phantom + ": described but the server has no such route"),
                        phantom + " in " + problems);
            }
            assertFalse(problems.contains("registered but not described"), "every real route is still described: " + problems);
        }
    }

    /**
     * Paths match as OpenAPI writes them: a Javalin {@code <param>} is {@code {param}}, a path
     * parameter matches by its name (one renamed in the document is another path), and a query
     * string is not part of a path: written into one, it is named as such.
     */
    @Test
    void pathsMatchByTheirParametersAndNeverByAQueryString() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.api.javalin().get("/api/v1/files/<path>", ctx -> ctx.result("x"), Access.USER);
            Map<String, Route> registered = registeredRoutes(api.api.javalin());
            assertTrue(registered.containsKey("GET /api/v1/files/{path}"), registered.keySet().toString());
            ObjectNode doc = (ObjectNode) document();
            ObjectNode paths = (ObjectNode) doc.get("paths");
            paths.set("/api/v1/files/{path}", paths.get("/api/v1/streams/{id}/sessions/{sessionId}").deepCopy());
            assertEquals("", coverageProblems(registered, doc), "<path> is {path}");

            paths.set("/api/v1/streams/{id}/sessions?limit={limit}", paths.remove("/api/v1/streams/{id}/sessions"));
            paths.set("/api/v1/streams/{streamId}/sessions/{sessionId}", paths.remove("/api/v1/streams/{id}/sessions/{sessionId}"));
            String problems = coverageProblems(registered, doc);
            assertTrue(problems.contains("\n  GET /api/v1/streams/{id}/sessions/{sessionId}: registered but not described"), problems);
            assertTrue(problems.contains("\n  GET /api/v1/streams/{streamId}/sessions/{sessionId}: described but the server has"
                    + " no such route"), problems);
            assertTrue(problems.contains("\n  GET /api/v1/streams/{id}/sessions: registered but not described"), problems);
            assertTrue(problems.contains("\n  GET /api/v1/streams/{id}/sessions?limit={limit}: described with a query string;"
                    + " a path has none (give each query parameter \"in\": \"query\")"), problems);
        }
    }

    @Test
    void theDocumentIsOpenApi3WhoseReferencesParametersTagsAndSchemesAllResolve() throws Exception {
        JsonNode doc = document();
        List<String> problems = new ArrayList<>();
        if (!doc.path("openapi").asText().matches("3\\.[01]\\.\\d+")) {
            problems.add("openapi must be a 3.0.x or 3.1.x version, is " + doc.path("openapi"));
        }
        for (String field : List.of("title", "version")) {
            if (doc.path("info").path(field).asText().isBlank()) {
                problems.add("info." + field + " is required");
            }
        }
        Set<String> tags = new HashSet<>();
        doc.path("tags").forEach(tag -> tags.add(tag.path("name").asText()));
        JsonNode schemes = doc.path("components").path("securitySchemes");
        checkSecurity(doc.path("security"), schemes, "security", problems);
        Set<String> operationIds = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/")) {
                problems.add("path " + path.getKey() + " must start with /");
            }
            for (Iterator<Map.Entry<String, JsonNode>> items = path.getValue().fields(); items.hasNext(); ) {
                Map.Entry<String, JsonNode> item = items.next();
                if (item.getKey().equals("parameters") || item.getKey().equals("summary") || item.getKey().equals("description")) {
                    continue;
                }
                String where = item.getKey().toUpperCase() + " " + path.getKey();
                if (!METHODS.contains(item.getKey())) {
                    problems.add(path.getKey() + ": " + item.getKey() + " is not an HTTP method nor a path item field");
                    continue;
                }
                JsonNode operation = item.getValue();
                if (!operationIds.add(operation.path("operationId").asText())) {
                    problems.add(where + ": operationId missing or not unique: " + operation.path("operationId"));
                }
                operation.path("tags").forEach(tag -> {
                    if (!tags.contains(tag.asText())) {
                        problems.add(where + ": tag " + tag + " is not declared under tags");
                    }
                });
                checkSecurity(operation.path("security"), schemes, where + " security", problems);
                if (!operation.path("responses").isObject() || operation.path("responses").isEmpty()) {
                    problems.add(where + ": responses are required");
                }
                for (Iterator<Map.Entry<String, JsonNode>> responses = operation.path("responses").fields(); responses.hasNext(); ) {
                    Map.Entry<String, JsonNode> response = responses.next();
                    if (!response.getKey().matches("[1-5]([0-9]{2}|XX)|default")) {
                        problems.add(where + ": " + response.getKey() + " is not a status code");
                    }
                    if (!OpenApiSchemaCheck.resolve(doc, response.getValue()).has("description")) {
                        problems.add(where + " " + response.getKey() + ": a response needs a description");
                    }
                }
                Set<String> declared = new HashSet<>();
                for (JsonNode list : List.of(path.getValue().path("parameters"), operation.path("parameters"))) {
                    for (JsonNode parameter : list) {
                        JsonNode p = OpenApiSchemaCheck.resolve(doc, parameter);
                        if (p.path("in").asText().equals("path")) {
                            declared.add(p.path("name").asText());
                            if (!p.path("required").asBoolean()) {
                                problems.add(where + ": path parameter " + p.path("name") + " must be required: true");
                            }
                        }
                    }
                }
                Set<String> inTemplate = new HashSet<>();
                Matcher m = PATH_PARAMETER.matcher(path.getKey());
                while (m.find()) {
                    inTemplate.add(m.group(1));
                }
                if (!declared.equals(inTemplate)) {
                    problems.add(where + ": the path's parameters " + inTemplate + " and the declared ones " + declared + " differ");
                }
            }
        }
        checkReferences(doc, doc, "", problems);
        assertEquals(List.of(), problems, "openapi.json is not valid OpenAPI 3");
    }

    @Test
    void theDocumentIsServedPubliclyAsJsonAndCacheable() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                ApiFixture.Response served = api.get("/api/v1/openapi.json", null);
                assertEquals(200, served.status(), served.body());
                assertTrue(served.header("Content-Type").startsWith("application/json"), served.header("Content-Type"));
                assertEquals(document(), served.json(), "the server sends the file as it is");
                assertTrue(served.header("Cache-Control").contains("public"), served.header("Cache-Control"));
                String etag = served.header("ETag");
                assertFalse(etag.isEmpty(), "an ETag to revalidate with");
                ApiFixture.Response again = api.send("GET", "/api/v1/openapi.json", null, null, "If-None-Match", etag);
                assertEquals(304, again.status());
                assertEquals("", again.body());
            });
        }
    }

    @Test
    void realAnswersHaveExactlyThePropertiesTheDocumentLists() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        // Every platform host stands for a public address; nothing connects (the stream is not live with them).
        settings.resolver = host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 142, (byte) 250, 1, 1})};
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                Checker check = new Checker(document());
                check.answer("GET", "/api/v1/auth/signup", api.get("/api/v1/auth/signup", null));
                check.answer("POST", "/api/v1/auth/register", api.post("/api/v1/auth/register",
                        "{\"email\":\"admin@example.com\",\"password\":\"correct horse battery\"}", null));
                ApiFixture.Response login = api.post("/api/v1/auth/login",
                        "{\"email\":\"admin@example.com\",\"password\":\"correct horse battery\"}", null);
                check.answer("POST", "/api/v1/auth/login", login);
                String admin = TestKeys.issued(login.json().get("token").asText());
                check.answer("GET", "/api/v1/auth/me", api.get("/api/v1/auth/me", admin));
                String friendBody = "{\"email\":\"friend@example.com\",\"password\":\"another passphrase\",\"role\":\"user\"}";
                check.answer("POST", "/api/v1/users", api.post("/api/v1/users", friendBody, admin));
                check.answer("POST", "/api/v1/users", api.post("/api/v1/users", friendBody, admin)); // 409
                check.answer("GET", "/api/v1/users", api.get("/api/v1/users", admin));
                String friend = api.login("friend@example.com", "another passphrase");

                ApiFixture.Response created = api.post("/api/v1/streams", "{\"name\":\"Main show\"}", admin);
                check.answer("POST", "/api/v1/streams", created);
                long id = created.json().get("id").asLong();
                TestKeys.issued(created.json().get("key").asText());
                String stream = "/api/v1/streams/" + id;
                check.answer("GET", "/api/v1/streams", api.get("/api/v1/streams", admin));
                check.answer("GET", "/api/v1/streams/{id}", api.get(stream, admin));
                check.answer("PUT", "/api/v1/streams/{id}", api.send("PUT", stream, "{\"name\":\"Late show\"}", admin));
                ApiFixture.Response rotated = api.post(stream + "/rotate-key", null, admin);
                check.answer("POST", "/api/v1/streams/{id}/rotate-key", rotated);
                String key = TestKeys.issued(rotated.json().get("key").asText());
                check.answer("POST", "/api/v1/streams", api.post("/api/v1/streams", "{\"name\":\"\"}", admin)); // 400 with field
                check.answer("GET", "/api/v1/streams/{id}", api.get("/api/v1/streams/abc", admin)); // 400, bad id
                check.answer("GET", "/api/v1/streams/{id}", api.get("/api/v1/streams/999", admin)); // 404
                check.answer("GET", "/api/v1/streams/{id}", api.get(stream, friend)); // 403
                check.answer("GET", "/api/v1/streams", api.get("/api/v1/streams", null)); // 401

                check.answer("GET", "/api/v1/platforms", api.get("/api/v1/platforms", admin));
                ApiFixture.Response destination = api.post("/api/v1/stream-destinations",
                        "{\"streamId\":" + id + ",\"platform\":\"youtube\",\"streamKey\":\"" + TestKeys.destination() + "\"}", admin);
                check.answer("POST", "/api/v1/stream-destinations", destination);
                String one = "/api/v1/stream-destinations/" + destination.json().get("id").asLong();
                check.answer("GET", "/api/v1/stream-destinations", api.get("/api/v1/stream-destinations", admin));
                check.answer("GET", "/api/v1/stream-destinations/stream/{streamId}", api.get("/api/v1/stream-destinations/stream/" + id, admin));
                check.answer("GET", "/api/v1/stream-destinations/{id}", api.get(one, admin));
                check.answer("PUT", "/api/v1/stream-destinations/{id}", api.send("PUT", one, "{\"enabled\":false}", admin));
                check.answer("DELETE", "/api/v1/stream-destinations/{id}", api.send("DELETE", one, null, admin));

                check.answer("GET", "/api/v1/server/healthcheck", api.get("/api/v1/server/healthcheck", null));
                api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                ApiFixture.Response stats = api.get("/api/v1/stats", admin);
                assertEquals(1, stats.json().get("streams").size(), "a live stream to check the schema of: " + stats.body());
                check.answer("GET", "/api/v1/stats", stats);
                check.answer("DELETE", "/api/v1/streams/{id}", api.send("DELETE", stream, null, admin));

                check.answer("GET", "/metrics", api.get("/metrics", null)); // 404: no metrics token set
                check.answer("GET", "/stat", api.get("/stat", null));
                check.answer("GET", "/", api.get("/", null));
                check.answer("GET", "/app/{file}", api.get("/app/main.js", null));
                check.answer("GET", "/app/{file}", api.get("/app/app.css", null));
                check.answer("GET", "/app/{file}", api.get("/app/nothing.js", null));
                check.answer("POST", "/api/v1/auth/password", api.post("/api/v1/auth/password",
                        "{\"currentPassword\":\"another passphrase\",\"newPassword\":\"a brand new passphrase\"}", friend));
                check.answer("POST", "/api/v1/auth/logout", api.post("/api/v1/auth/logout", null, admin));
                check.answer("POST", "/api/v1/auth/login", api.post("/api/v1/auth/login",
                        "{\"email\":\"admin@example.com\",\"password\":\"not the password\"}", null)); // 401
                assertEquals(List.of(), check.problems, "answers that differ from openapi.json");
            });
        }
    }

    @Test
    void aThrottledAnswerIsTheDocumentedOne() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.rateLimits = new ApiServer.RateLimits(2, 5, 1000, 1000);
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                ApiFixture.Response answer = api.get("/api/v1/auth/signup", null);
                for (int i = 0; i < 20 && answer.status() != 429; i++) {
                    answer = api.get("/api/v1/auth/signup", null);
                }
                assertEquals(429, answer.status(), answer.body());
                Checker check = new Checker(document());
                check.answer("GET", "/api/v1/auth/signup", answer);
                assertEquals(List.of(), check.problems, "answers that differ from openapi.json");
                assertEquals(answer.json().get("retryAfterSeconds").asText(), answer.header("Retry-After"));
            });
        }
    }

    /** Compares real answers with the document's responses for their route and status. */
    private static final class Checker {
        final JsonNode doc;
        final List<String> problems = new ArrayList<>();

        Checker(JsonNode doc) {
            this.doc = doc;
        }

        void answer(String method, String path, ApiFixture.Response answer) {
            String where = method + " " + path + " " + answer.status();
            JsonNode operation = doc.path("paths").path(path).path(method.toLowerCase());
            if (operation.isMissingNode()) {
                problems.add(where + ": no such operation in openapi.json");
                return;
            }
            JsonNode response = operation.path("responses").path(String.valueOf(answer.status()));
            if (response.isMissingNode()) {
                problems.add(where + ": the server answered " + answer.status() + ", which the operation's responses do not list");
                return;
            }
            JsonNode content = OpenApiSchemaCheck.resolve(doc, response).path("content");
            String mediaType = answer.header("Content-Type").split(";")[0].trim();
            if (content.isMissingNode() || content.isEmpty()) {
                if (!answer.body().isEmpty()) {
                    problems.add(where + ": documented without a body, answered " + mediaType);
                }
                return;
            }
            if (!content.has(mediaType)) {
                problems.add(where + ": answered " + mediaType + ", documented " + iterable(content.fieldNames()));
                return;
            }
            if (mediaType.equals("application/json")) {
                for (String problem : OpenApiSchemaCheck.problems(doc, content.get(mediaType).path("schema"), answer.json())) {
                    problems.add(where + ": " + problem);
                }
            }
        }
    }

    /** Every route Javalin really has, by "METHOD /path" (its {@code <param>} written {@code {param}}, as OpenAPI does). */
    static Map<String, Route> registeredRoutes(Javalin app) {
        Map<String, Route> routes = new TreeMap<>();
        for (ParsedEndpoint parsed : app.unsafeConfig().pvt.internalRouter.allHttpHandlers()) {
            Endpoint endpoint = parsed.getEndpoint();
            if (endpoint.getMethod().isHttpMethod()) { // not before/after handlers
                Route route = new Route(endpoint.getMethod().name(), endpoint.getPath().replaceAll("<([^>]+)>", "{$1}"),
                        endpoint.getRoles().contains(Access.PUBLIC));
                routes.put(route.name(), route);
            }
        }
        return routes;
    }

    /** Empty when registered and described routes agree; else what to add, remove or fix, each by name. */
    static String coverageProblems(Map<String, Route> registered, JsonNode doc) {
        Set<String> described = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<String> keys = path.getValue().fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (METHODS.contains(key)) {
                    described.add(key.toUpperCase() + " " + path.getKey());
                }
            }
        }
        StringBuilder problems = new StringBuilder();
        for (Route route : registered.values()) {
            if (!described.contains(route.name())) {
                problems.append("\n  ").append(route.name()).append(": registered but not described; add under \"paths\": \"")
                        .append(route.path()).append("\": {\"").append(route.method().toLowerCase())
                        .append("\": {\"tags\", \"summary\", \"operationId\", ")
                        .append(route.isPublic() ? "\"security\": [] (it is public), " : "")
                        .append("\"parameters\" for each {param}, \"requestBody\" if it reads one, \"responses\" with the JSON it writes}}");
            } else {
                JsonNode security = doc.path("paths").path(route.path()).path(route.method().toLowerCase()).path("security");
                boolean needsToken = security.isMissingNode() || security.toString().contains("\"bearerToken\"");
                if (route.isPublic() == needsToken) {
                    problems.append("\n  ").append(route.name()).append(route.isPublic()
                            ? ": public (Access.PUBLIC) but described as needing a bearer token; give it \"security\": []"
                            : ": needs a bearer token but described as public; remove its \"security\" or list bearerToken");
                }
            }
        }
        // A query string is never part of a route: written into a path, it is a path no route has,
        // and says so in words that point at the fix.
        described.stream().filter(name -> !registered.containsKey(name)).sorted().forEach(name -> problems.append("\n  ")
                .append(name).append(name.contains("?")
                        ? ": described with a query string; a path has none (give each query parameter \"in\": \"query\")"
                        : ": described but the server has no such route; remove it or register it in ApiServer"));
        return problems.isEmpty() ? "" : DOCUMENT_FILE + " and the routes ApiServer registers differ:" + problems;
    }

    private static void checkSecurity(JsonNode requirements, JsonNode schemes, String where, List<String> problems) {
        for (JsonNode requirement : requirements) {
            requirement.fieldNames().forEachRemaining(name -> {
                if (!schemes.has(name)) {
                    problems.add(where + ": security scheme " + name + " is not in components.securitySchemes");
                }
            });
        }
    }

    /** Every $ref anywhere in the document points at something. */
    private static void checkReferences(JsonNode doc, JsonNode node, String at, List<String> problems) {
        if (node.has("$ref") && doc.at(node.get("$ref").asText().replaceFirst("^#", "")).isMissingNode()) {
            problems.add(at + ": unresolved $ref " + node.get("$ref").asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            checkReferences(doc, field.getValue(), at + "/" + field.getKey(), problems);
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            checkReferences(doc, node.get(i), at + "/" + i, problems);
        }
    }

    static JsonNode document() throws Exception {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(OpenApiDocument.RESOURCE)) {
            return JSON.readTree(in);
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
