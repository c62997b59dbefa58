package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateLimitTest {
    @TempDir
    Path dir;

    @Test
    void aBucketAllowsItsBurstThenRefillsAtItsRate() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(new RateLimiter.Limit(2, 3), 100, now::get);
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), limiter.acquire("a"), "request " + i + " of the burst");
        }
        Duration wait = limiter.acquire("a").orElseThrow();
        assertEquals(500, wait.toMillis(), "one token comes back every 1/2 s");
        assertEquals(Optional.empty(), limiter.acquire("b"), "another key has its own bucket");
        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertEquals(Optional.empty(), limiter.acquire("a"));
        assertTrue(limiter.acquire("a").isPresent());
    }

    @Test
    void idleKeysAreForgottenSoTheTableStaysBounded() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(new RateLimiter.Limit(1, 1), 10, now::get);
        for (int i = 0; i < 10; i++) {
            limiter.acquire("flood-" + i);
        }
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(Optional.empty(), limiter.acquire("newcomer"), "room was made by dropping refilled buckets");
        assertEquals(Optional.empty(), limiter.acquire("flood-0"), "a forgotten key starts with a full bucket");
    }

    @Test
    void aFloodOfNewAddressesKeepsTheTableAtItsBoundAndTheFlooderLimited() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(new RateLimiter.Limit(1, 2), 100, now::get);
        limiter.acquire("flooder");
        limiter.acquire("flooder");
        assertTrue(limiter.acquire("flooder").isPresent(), "the flooder has used its burst");
        // A hundred thousand fresh addresses at the same instant: none of them has refilled, so
        // there is nothing idle to drop, and the table must still not grow.
        for (int i = 0; i < 100_000; i++) {
            limiter.acquire("spoofed-" + i);
            if (i % 50 == 0) {
                assertTrue(limiter.acquire("flooder").isPresent(), "a key that keeps sending keeps its empty bucket");
            }
            assertTrue(limiter.size() <= 100, "bounded at 100 keys, had " + limiter.size());
        }
    }

    @Test
    void aFloodingUserGets429WithRetryAfterAndOthersDoNot() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.rateLimits = new ApiServer.RateLimits(1000, 1000, 2, 5);
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                String greedy = api.userToken("greedy@example.com");
                String calm = api.userToken("calm@example.com");
                ApiFixture.Response last = null;
                for (int i = 0; i < 20; i++) {
                    last = api.get("/api/v1/streams", greedy);
                    if (last.status() == 429) {
                        break;
                    }
                }
                assertEquals(429, last.status(), "past the burst: " + last.body());
                long retryAfter = Long.parseLong(last.raw().headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 1);
                assertEquals("too many requests, try again in " + retryAfter + " s", last.json().get("error").asText());
                assertEquals(retryAfter, last.json().get("retryAfterSeconds").asLong());
                assertEquals(200, api.get("/api/v1/streams", calm).status(), "another user is not slowed down");
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status(), "the health check is never limited");
            });
        }
    }

    @Test
    void anIpv6ClientIsLimitedByItsSlash64() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.rateLimits = new ApiServer.RateLimits(2, 5, 1000, 1000);
        // The test's client connects from loopback and says, as a proxy would, whom it forwards for.
        settings.clientAddresses = ClientAddressResolver.trusting("127.0.0.1, ::1");
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                int status = 0;
                for (int i = 1; i < 20 && status != 429; i++) {
                    status = api.send("GET", "/api/v1/streams", null, null,
                            "X-Forwarded-For", "2001:db8:1:2::" + Integer.toHexString(i)).status();
                }
                assertEquals(429, status, "fresh addresses of one /64 share one bucket");
                assertEquals(401, api.send("GET", "/api/v1/streams", null, null, "X-Forwarded-For", "2001:db8:1:3::1").status(),
                        "the next /64 has its own");
            });
        }
    }

    @Test
    void oneAddressIsLimitedBeforeAnyTokenIsChecked() throws Exception {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.rateLimits = new ApiServer.RateLimits(2, 5, 1000, 1000);
        try (ApiFixture api = new ApiFixture(dir, settings)) {
            api.test(() -> {
                int status = 0;
                for (int i = 0; i < 20 && status != 429; i++) {
                    status = api.get("/api/v1/streams", "guessed-token-" + i).status();
                }
                assertEquals(429, status, "guessing tokens from one address is slowed down");
            });
        }
    }
}
