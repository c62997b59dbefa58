package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The health check's database probe, in virtual time: at most one probe a second. */
class CachedProbeTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final BooleanSupplier database = () -> {
        probes.incrementAndGet();
        return up.get();
    };

    @Test
    void manyCallsWithinASecondMakeOneProbeAndTheNextSecondAnother() {
        CachedProbe probe = new CachedProbe(database, clock, CachedProbe.MAX_AGE);
        for (int i = 0; i < 100; i++) {
            assertTrue(probe.getAsBoolean());
            clock.advance(Duration.ofMillis(9)); // 100 calls over 0.9 s
        }
        assertEquals(1, probes.get());
        clock.advance(Duration.ofMillis(99)); // 999 ms after the probe: still cached
        probe.getAsBoolean();
        assertEquals(1, probes.get());
        clock.advance(Duration.ofMillis(1)); // one second after it: probed again
        probe.getAsBoolean();
        assertEquals(2, probes.get());
    }

    @Test
    void aDatabaseGoingDownIsSeenWithinASecond() {
        CachedProbe probe = new CachedProbe(database, clock, CachedProbe.MAX_AGE);
        assertTrue(probe.getAsBoolean());
        up.set(false);
        clock.advance(Duration.ofMillis(500));
        assertTrue(probe.getAsBoolean(), "still the cached answer half a second later");
        clock.advance(Duration.ofMillis(500));
        assertFalse(probe.getAsBoolean(), "down one second after the last probe");
        up.set(true);
        clock.advance(Duration.ofSeconds(1));
        assertTrue(probe.getAsBoolean(), "and up again the next second");
        assertEquals(3, probes.get());
    }

    @Test
    void aClockThatGoesBackProbesAgainRatherThanTrustingAnOldAnswer() {
        CachedProbe probe = new CachedProbe(database, clock, CachedProbe.MAX_AGE);
        probe.getAsBoolean();
        clock.advance(Duration.ofHours(-1));
        probe.getAsBoolean();
        assertEquals(2, probes.get());
    }
}
