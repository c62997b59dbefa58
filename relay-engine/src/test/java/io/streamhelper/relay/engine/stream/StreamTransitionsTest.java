package io.streamhelper.relay.engine.stream;

import static io.streamhelper.relay.engine.stream.StreamState.ENDED;
import static io.streamhelper.relay.engine.stream.StreamState.LIVE;
import static io.streamhelper.relay.engine.stream.StreamState.RECONNECTING;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every pair of stream states, checked against the table written out here a second time: LIVE
 * to RECONNECTING and back, anything to ENDED, nothing after it.
 */
class StreamTransitionsTest {
    private static final Map<StreamState, Set<StreamState>> EXPECTED = new EnumMap<>(StreamState.class);

    static {
        EXPECTED.put(LIVE, EnumSet.of(RECONNECTING, ENDED));
        EXPECTED.put(RECONNECTING, EnumSet.of(LIVE, ENDED));
        EXPECTED.put(ENDED, EnumSet.noneOf(StreamState.class));
    }

    @Test
    void everyListedChangeIsAcceptedAndEveryOtherRefused() {
        int legal = 0;
        for (StreamState from : StreamState.values()) {
            for (StreamState to : StreamState.values()) {
                if (EXPECTED.get(from).contains(to)) {
                    legal++;
                    assertDoesNotThrow(() -> StreamTransitions.check(from, to), from + " -> " + to);
                } else {
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> StreamTransitions.check(from, to), from + " -> " + to);
                    assertEquals("illegal stream transition " + from + " -> " + to, e.getMessage());
                }
            }
        }
        assertEquals(4, legal);
    }

    @Test
    void theWireNamesStayTheOnesTheApiAndMetricsUse() {
        assertEquals(List.of("live", "reconnecting", "ended"),
                List.of(StreamState.values()).stream().map(StreamState::wireName).toList());
    }
}
