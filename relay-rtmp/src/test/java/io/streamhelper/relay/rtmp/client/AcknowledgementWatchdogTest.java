package io.streamhelper.relay.rtmp.client;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AcknowledgementWatchdogTest {
    private static final long MB = 1_000_000;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aDestinationThatNeverAcknowledgesIsNeverJudged() {
        AcknowledgementWatchdog watchdog = new AcknowledgementWatchdog();
        assertNull(watchdog.verdict(500 * MB, 600 * SECOND));
        watchdog.acknowledged(MB, SECOND);
        assertNull(watchdog.verdict(500 * MB, 600 * SECOND), "one acknowledgement sets no rhythm yet");
    }

    @Test
    void aDestinationThatStopsAcknowledgingIsJudgedOnceBothBytesAndTimeRunOut() {
        AcknowledgementWatchdog watchdog = new AcknowledgementWatchdog();
        watchdog.acknowledged(MB, SECOND);
        watchdog.acknowledged(2 * MB, 2 * SECOND);
        assertNull(watchdog.verdict(4 * MB, 9 * SECOND), "silent long enough, but only two windows sent");
        assertNull(watchdog.verdict(20 * MB, 6 * SECOND), "many bytes, but only 4 s of silence");
        String verdict = watchdog.verdict(20 * MB, 8 * SECOND);
        assertNotNull(verdict);
        assertTrue(verdict.contains("stopped acknowledging: 18000000 bytes sent since its last acknowledgement 6 s ago"), verdict);
    }

    @Test
    void aDestinationThatAcknowledgesInLargeStepsGetsRoomForThem() {
        // Some servers acknowledge on their own rhythm (fixed increments of 2.5 MB, say), not ours.
        AcknowledgementWatchdog watchdog = new AcknowledgementWatchdog();
        watchdog.acknowledged(0, 0);
        watchdog.acknowledged(5 * MB / 2, 4 * SECOND);
        watchdog.acknowledged(5 * MB, 8 * SECOND);
        assertNull(watchdog.verdict(12 * MB, 20 * SECOND), "7 MB unacknowledged is within three of its steps");
        assertNotNull(watchdog.verdict(13 * MB, 20 * SECOND));
    }

    @Test
    void eachAcknowledgementStartsTheCountAgain() {
        AcknowledgementWatchdog watchdog = new AcknowledgementWatchdog();
        long sent = 0;
        long now = 0;
        for (int i = 0; i < 100; i++) {
            sent += MB;
            now += SECOND;
            watchdog.acknowledged(sent, now);
            assertNull(watchdog.verdict(sent + MB / 2, now + SECOND / 2));
        }
    }
}
