package io.streamhelper.relay.engine.destination;

import static io.streamhelper.relay.engine.destination.DestinationState.CONNECTING;
import static io.streamhelper.relay.engine.destination.DestinationState.IDLE;
import static io.streamhelper.relay.engine.destination.DestinationState.INCOMPATIBLE;
import static io.streamhelper.relay.engine.destination.DestinationState.LIVE;
import static io.streamhelper.relay.engine.destination.DestinationState.REJECTED;
import static io.streamhelper.relay.engine.destination.DestinationState.RETRYING;
import static io.streamhelper.relay.engine.destination.DestinationState.STOPPED;
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
 * Every pair of destination states, checked against the table written out here a second time:
 * a listed change is accepted, any other is a bug and throws.
 */
class DestinationTransitionsTest {
    private static final Map<DestinationState, Set<DestinationState>> EXPECTED = new EnumMap<>(DestinationState.class);

    static {
        EXPECTED.put(IDLE, EnumSet.of(CONNECTING, INCOMPATIBLE, STOPPED));
        EXPECTED.put(CONNECTING, EnumSet.of(LIVE, RETRYING, REJECTED, INCOMPATIBLE, STOPPED));
        EXPECTED.put(LIVE, EnumSet.of(RETRYING, REJECTED, INCOMPATIBLE, STOPPED));
        EXPECTED.put(RETRYING, EnumSet.of(CONNECTING, INCOMPATIBLE, STOPPED));
        EXPECTED.put(REJECTED, EnumSet.of(CONNECTING, INCOMPATIBLE, STOPPED));
        EXPECTED.put(INCOMPATIBLE, EnumSet.of(CONNECTING, STOPPED));
        EXPECTED.put(STOPPED, EnumSet.noneOf(DestinationState.class));
    }

    @Test
    void everyListedChangeIsAcceptedAndEveryOtherRefused() {
        int legal = 0;
        for (DestinationState from : DestinationState.values()) {
            for (DestinationState to : DestinationState.values()) {
                if (EXPECTED.get(from).contains(to)) {
                    legal++;
                    assertDoesNotThrow(() -> DestinationTransitions.check(from, to), from + " -> " + to);
                } else {
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> DestinationTransitions.check(from, to), from + " -> " + to);
                    assertEquals("illegal destination transition " + from + " -> " + to, e.getMessage());
                }
            }
        }
        assertEquals(20, legal);
    }

    @Test
    void noStateFollowsItselfAndStoppedIsFinal() {
        for (DestinationState state : DestinationState.values()) {
            assertThrows(IllegalStateException.class, () -> DestinationTransitions.check(state, state));
            assertThrows(IllegalStateException.class, () -> DestinationTransitions.check(STOPPED, state));
        }
    }

    @Test
    void theWireNamesStayTheOnesTheApiAndMetricsUse() {
        assertEquals(List.of("idle", "connecting", "live", "retrying", "rejected", "incompatible", "stopped"),
                List.of(DestinationState.values()).stream().map(DestinationState::wireName).toList());
    }
}
