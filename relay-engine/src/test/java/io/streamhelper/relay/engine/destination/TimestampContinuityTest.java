package io.streamhelper.relay.engine.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimestampContinuityTest {

    @Test
    void firstSessionStartsAtZeroAndKeepsTheSpacing() {
        TimestampContinuity t = new TimestampContinuity();
        assertEquals(0, t.sessionStart());
        assertEquals(0, t.map(90_000));
        assertEquals(33, t.map(90_033));
        assertEquals(20, t.map(90_020), "audio slightly behind video keeps its own spacing");
        assertEquals(66, t.map(90_066));
    }

    @Test
    void aReconnectContinuesWhereTheLastSessionEnded() {
        TimestampContinuity t = new TimestampContinuity();
        t.map(1000);
        t.map(5000);
        t.newSession();
        assertEquals(4001, t.sessionStart());
        assertEquals(4001, t.map(60_000), "publisher time jumped ahead while we were away");
        assertEquals(4034, t.map(60_033));
    }

    @Test
    void publisherWrapAroundStaysMonotonic() {
        TimestampContinuity t = new TimestampContinuity();
        long out0 = t.map(0xFFFFFF00L);
        long out1 = t.map(0x00000010L); // the 32-bit clock wrapped
        assertEquals(0, out0);
        assertEquals(0x110, out1);
    }

    @Test
    void nothingMapsBeforeTheSessionStart() {
        TimestampContinuity t = new TimestampContinuity();
        t.map(500);
        assertTrue(t.map(100) >= 0, "a tag older than the session's first stays at its start");
        assertEquals(0, t.map(100));
    }

    @Test
    void headersInTheMiddleOfASessionAreStampedWithTheLatestTimeNotTheSessionsStart() {
        TimestampContinuity t = new TimestampContinuity();
        assertEquals(0, t.headerTime(), "a join's headers open the session");
        t.map(1000);
        t.map(5000);
        assertEquals(4000, t.headerTime());
        t.newSession();
        assertEquals(4001, t.headerTime());
    }
}
