package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.testkit.NginxHttpProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API behind a real nginx reverse proxy on loopback (docs/deployment.md's set-up), with
 * RELAY_TRUSTED_PROXIES=127.0.0.1, and clients on two source addresses, 127.0.0.2 (the attacker)
 * and 127.0.0.3 (an honest user): the server must tell them apart through the proxy, and must
 * not believe the header from a client that connects directly.
 */
class ProxiedClientAddressTest {
    private static final String ATTACKER = "127.0.0.2";
    private static final String OWNER = "127.0.0.3";
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;

    /** An HTTP response read off a raw socket. */
    record Reply(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(body);
        }
    }

    /**
     * One HTTP/1.1 request from a chosen source address (java.net.http cannot bind one), on a
     * connection of its own, read to its end.
     */
    static Reply send(String from, int port, String method, String path, String body, String... extraHeaders) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder()
                    .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: close\r\n")
                    .append("Content-Type: application/json\r\n")
                    .append("Content-Length: ").append(content.length).append("\r\n");
            for (String header : extraHeaders) {
                request.append(header).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    private static Reply parse(byte[] raw) throws IOException {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete HTTP response: " + all);
        }
        String[] lines = all.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(new java.io.ByteArrayInputStream(body));
        }
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            StringBuilder size = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("chunked body ended early");
                }
                size.append((char) c);
            }
            int length = Integer.parseInt(size.toString().trim().split(";")[0], 16);
            if (length == 0) {
                return out.toByteArray();
            }
            out.write(in.readNBytes(length));
            in.readNBytes(2);
        }
    }

    private static String login(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private ApiFixture fixture(ApiServer.RateLimits limits) {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.clientAddresses = ClientAddressResolver.trusting("127.0.0.1");
        // Login locks are timers: the clock stands still, so no lock runs out while the test looks.
        settings.clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        settings.rateLimits = limits;
        return new ApiFixture(dir.resolve("api"), settings);
    }

    @Test
    void aStrangerGuessingThroughTheProxyIsLockedWhileTheOwnerGetsIn() throws Exception {
        try (ApiFixture api = fixture(ApiServer.RateLimits.defaults())) {
            api.test(() -> {
                api.userToken("a@example.com");
                try (NginxHttpProxy proxy = NginxHttpProxy.start(dir.resolve("nginx"), api.port())) {
                    // The attacker also claims to be the owner's address: nginx appends the real one.
                    Reply last = null;
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < 10 && (last == null || last.status() != 429); i++) {
                        last = send(ATTACKER, proxy.port(), "POST", "/api/v1/auth/login", login("a@example.com", "wrong guess " + i),
                                "X-Forwarded-For: " + OWNER);
                        statuses.add(last.status());
                    }
                    assertEquals(429, last.status(), "statuses " + statuses + ", last " + last.body());

                    // (a) the owner, through the same proxy from another address, gets in with the right password.
                    Reply owner = send(OWNER, proxy.port(), "POST", "/api/v1/auth/login", login("a@example.com", PASSWORD));
                    assertEquals(200, owner.status(), owner.body());
                    assertTrue(owner.json().hasNonNull("token"));

                    // (b) the attacker is slowed down, and told for how long.
                    assertTrue(last.json().has("retryAfterSeconds"), last.body());
                    long seconds = last.json().get("retryAfterSeconds").asLong();
                    assertTrue(seconds >= 1, last.body());
                    assertEquals("too many failed logins, try again in " + seconds + " s", last.json().get("error").asText());
                    assertEquals(String.valueOf(seconds), last.headers().get("retry-after"));
                    Reply again = send(ATTACKER, proxy.port(), "POST", "/api/v1/auth/login", login("a@example.com", PASSWORD));
                    assertEquals(429, again.status(), "while locked, even the right password waits: " + again.body());

                    // (d) connecting directly, the attacker's header naming the owner's address is not believed.
                    Reply direct = send(ATTACKER, api.port(), "POST", "/api/v1/auth/login", login("a@example.com", PASSWORD),
                            "X-Forwarded-For: " + OWNER, "Forwarded: for=" + OWNER);
                    assertEquals(429, direct.status(), "a direct client is its own address: " + direct.body());
                    // And the proxy's own address (direct, no header) is not the attacker either.
                    Reply proxyHost = send("127.0.0.1", api.port(), "POST", "/api/v1/auth/login", login("a@example.com", PASSWORD));
                    assertEquals(200, proxyHost.status(), proxyHost.body());
                }
            });
        }
    }

    @Test
    void aFloodThroughTheProxyIsLimitedPerClientNotForEveryone() throws Exception {
        try (ApiFixture api = fixture(new ApiServer.RateLimits(2, 10, 1000, 1000))) {
            api.test(() -> {
                try (NginxHttpProxy proxy = NginxHttpProxy.start(dir.resolve("nginx"), api.port())) {
                    int refused = 0;
                    List<Integer> honest = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        if (send(ATTACKER, proxy.port(), "GET", "/api/v1/streams", null,
                                "X-Forwarded-For: 198.51.100." + i).status() == 429) {
                            refused++;
                        }
                        if (i % 5 == 4) {
                            honest.add(send(OWNER, proxy.port(), "GET", "/api/v1/streams", null).status());
                        }
                    }
                    assertTrue(refused >= 20, "the flood past the per-address limit is refused: " + refused + " of 40");
                    // (c) every request of the honest client is answered (401: it has no token; never 429).
                    assertEquals(List.of(401, 401, 401, 401, 401, 401, 401, 401), honest, "the honest client's answers");

                    // (d) directly, a spoofed header does not buy the flooder a fresh bucket.
                    Reply direct = send(ATTACKER, api.port(), "GET", "/api/v1/streams", null, "X-Forwarded-For: 203.0.113.7");
                    assertEquals(429, direct.status(), direct.body());
                    assertNotEquals(429, send(OWNER, api.port(), "GET", "/api/v1/streams", null).status());
                }
            });
        }
    }
}
