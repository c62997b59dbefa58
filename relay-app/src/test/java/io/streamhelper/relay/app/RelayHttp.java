package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import io.streamhelper.relay.testkit.TestKeys;

/** The relay's REST API as a test drives it: plain HTTP to 127.0.0.1, every status checked. */
final class RelayHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    RelayHttp(int port) {
        this.port = port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Sends the request and asserts the status; returns the JSON body (null node for none). */
    JsonNode call(String method, String path, String body, String token, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    /** The status alone, for polling (health checks while starting). */
    int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Signs up (the server's first account becomes admin) and logs in; returns the bearer token. */
    String signUpAndLogin(String email, String password) throws Exception {
        String credentials = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
        call("POST", "/api/v1/auth/register", credentials, null, 201);
        return login(email, password);
    }

    /** Logs in an existing account; returns the bearer token. */
    String login(String email, String password) throws Exception {
        String credentials = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
        return TestKeys.issued(call("POST", "/api/v1/auth/login", credentials, null, 200).get("token").asText());
    }
}
