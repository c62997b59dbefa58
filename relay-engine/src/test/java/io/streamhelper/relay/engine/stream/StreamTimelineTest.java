package io.streamhelper.relay.engine.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream's one timeline across publishers: what a destination is fed, before its own continuity. */
class StreamTimelineTest {
    private static final long WRAP = 1L << 32;

    private static List<Long> map(StreamTimeline timeline, long gapMillis, long... in) {
        List<Long> out = new ArrayList<>();
        for (long ts : in) {
            out.add(timeline.map(ts, gapMillis));
        }
        return out;
    }

    @Test
    void theFirstPublisherPassesUnchangedWrapAndAll() {
        StreamTimeline timeline = new StreamTimeline();
        assertFalse(timeline.opensContinuedSegment());
        assertEquals(List.of(5000L, 4990L, 5033L, WRAP - 10, 23L, 56L),
                map(timeline, 0, 5000, 4990, 5033, WRAP - 10, 23, 56),
                "exactly what the publisher sent, out of order and across the 32-bit wrap");
    }

    @Test
    void aPublisherStartingAtZeroAgainComesOutAtLastOutPlusTheGap() {
        StreamTimeline timeline = new StreamTimeline();
        map(timeline, 0, 0, 33, 1000, 990);
        timeline.newPublisher();
        assertTrue(timeline.opensContinuedSegment());
        assertEquals(List.of(4120L, 4120L, 4153L, 4186L), map(timeline, 3120, 0, 0, 33, 66),
                "the new encoder's 0 lands 3120 ms after the last tag out, and its pace follows");
        assertFalse(timeline.opensContinuedSegment(), "the gap counts once, for the segment's first tag");
    }

    @Test
    void aContinuingPublisherNeverReachesBackBeforeItsFirstTagOrTheGap() {
        StreamTimeline timeline = new StreamTimeline();
        map(timeline, 0, 100, 200);
        timeline.newPublisher();
        assertEquals(List.of(201L, 201L, 251L), map(timeline, 0, 50, 20, 100),
                "a gap measured as 0 still moves on by 1 ms; audio a little behind the first tag is held at it");
    }

    @Test
    void aContinuingPublisherAcrossTheWrapAndAPublisherWhoseOwnClockWrapsStayContinuous() {
        StreamTimeline timeline = new StreamTimeline();
        map(timeline, 0, WRAP - 100); // the last tag out, 100 ms before the wrap
        timeline.newPublisher();
        assertEquals(List.of(400L, 433L), map(timeline, 500, 7, 40),
                "the stream's timeline wraps at 32 bits, as RTMP's does");
        timeline.newPublisher();
        List<Long> out = map(timeline, 10, WRAP - 5, 28);
        assertEquals(433 + 10, out.get(0));
        assertEquals(433 + 10 + 33, out.get(1), "the new publisher's own wrap is followed by its signed delta");
    }
}
