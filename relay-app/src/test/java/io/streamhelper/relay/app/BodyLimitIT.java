package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged server ({@code java -jar}, run by Failsafe after {@code package}) in a small heap
 * (-Xmx256m) against chunked request bodies far larger than that heap, generated on the fly and
 * streamed: one of 200 MiB, then four of 100 MiB at once, to the public login route. Each is a
 * 413 with the JSON error as soon as RELAY_MAX_BODY_BYTES is crossed; the server stays healthy,
 * still logs users in, and never runs out of memory. (Before the body limit counted chunked
 * bodies, the first request alone was an OutOfMemoryError and an empty 500.)
 */
class BodyLimitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;
    private static final String EMAIL = "operator@example.com";
    private static final String PASSWORD = "body limit passphrase";

    @Test
    void hugeChunkedBodiesAre413sAndTheServerKeepsItsMemory() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "body-limit-");
        int httpPort = FreePorts.allocate();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = Path.of("target", "streamhelper-relay.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the packaged jar exists: " + jar);
        Path logFile = work.resolve("relay.log");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put("RELAY_BIND_ADDRESS", "127.0.0.1");
        builder.environment().put("RELAY_RTMP_PORT", String.valueOf(FreePorts.allocate()));
        builder.environment().put("RELAY_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("RELAY_DATA_DIR", work.resolve("data").toString());
        Process relay = builder.start();
        try {
            RelayHttp api = new RelayHttp(httpPort);
            await().atMost(Duration.ofSeconds(20)).until(() -> api.status("/api/v1/server/healthcheck") == 200);
            api.signUpAndLogin(EMAIL, PASSWORD);

            assertRefused(send(httpPort, 200 * MIB), "the 200 MiB body");
            assertStillServing(api, relay);

            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<RawHttp.Streamed>> parallel = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    parallel.add(clients.submit(() -> send(httpPort, 100 * MIB)));
                }
                for (int i = 0; i < 4; i++) {
                    assertRefused(parallel.get(i).get(3, TimeUnit.MINUTES), "parallel 100 MiB body " + i);
                }
            } finally {
                clients.shutdownNow();
            }
            assertStillServing(api, relay);

            String log = Files.readString(logFile);
            assertFalse(log.contains("OutOfMemoryError"), "no OutOfMemoryError:\n" + log);
        } finally {
            relay.destroyForcibly();
            relay.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static RawHttp.Streamed send(int port, long bytes) throws Exception {
        return RawHttp.chunked(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json",
                bytes);
    }

    private static void assertRefused(RawHttp.Streamed streamed, String what) throws Exception {
        RawHttp.Response response = streamed.response();
        assertEquals(413, response.status(), what + ": " + response.body());
        assertTrue(response.header("Content-Type").startsWith("application/json"), what + ": " + response.headers());
        assertEquals("request body is too large", JSON.readTree(response.body()).get("error").asText(), what);
        // (That the answer comes at the limit, not at the end, HttpRefusalsTest shows without a race.)
    }

    private static void assertStillServing(RelayHttp api, Process relay) throws Exception {
        assertTrue(relay.isAlive(), "the server is still running");
        assertEquals(200, api.status("/api/v1/server/healthcheck"));
        String credentials = "{\"email\":\"" + EMAIL + "\",\"password\":\"" + PASSWORD + "\"}";
        assertTrue(api.call("POST", "/api/v1/auth/login", credentials, null, 200).hasNonNull("token"));
    }
}
