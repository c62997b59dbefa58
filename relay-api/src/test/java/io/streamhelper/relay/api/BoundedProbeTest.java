package io.streamhelper.relay.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A probe that hangs (a database gone: the pool waits 5 s for a connection) still gets an answer in time. */
class BoundedProbeTest {
    @Test
    void aProbeThatHangsCountsAsDownWithinTheLimitAndIsNotStartedTwice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (BoundedProbe probe = new BoundedProbe(() -> {
            started.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }, Duration.ofMillis(300))) {
            long start = System.nanoTime();
            assertFalse(probe.getAsBoolean(), "still running past the limit: down");
            assertFalse(probe.getAsBoolean());
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < 2_000, "each call waited about the limit, not for the probe: " + tookMillis + " ms");
            assertEquals(1, started.get(), "callers share the probe in flight");

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(probe::getAsBoolean);
            int before = started.get();
            assertTrue(probe.getAsBoolean());
            assertEquals(before + 1, started.get(), "a finished probe is run again for the next caller");
        }
    }

    @Test
    void aProbeThatThrowsIsDown() {
        try (BoundedProbe probe = new BoundedProbe(() -> {
            throw new IllegalStateException("no database");
        }, Duration.ofSeconds(1))) {
            assertFalse(probe.getAsBoolean());
        }
    }
}
