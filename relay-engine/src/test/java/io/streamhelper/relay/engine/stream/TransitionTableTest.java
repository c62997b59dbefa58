package io.streamhelper.relay.engine.stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TransitionTableTest {
    private enum Light { RED, GREEN, OFF }

    @Test
    void aStateWithoutItsRowIsRefusedWhenTheTableIsBuilt() {
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> TransitionTable.of(Light.class, "light")
                .allow(Light.RED, Light.GREEN)
                .allow(Light.GREEN, Light.RED)
                .build());
        assertEquals("no row for light state OFF", missing.getMessage());
    }

    @Test
    void onlyTheListedChangesPass() {
        TransitionTable<Light> table = TransitionTable.of(Light.class, "light")
                .allow(Light.RED, Light.GREEN, Light.OFF)
                .allow(Light.GREEN, Light.RED)
                .allow(Light.OFF)
                .build();
        assertDoesNotThrow(() -> table.check(Light.RED, Light.OFF));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> table.check(Light.OFF, Light.RED));
        assertEquals("illegal light transition OFF -> RED", refused.getMessage());
        assertThrows(IllegalStateException.class, () -> table.check(Light.GREEN, Light.GREEN));
    }
}
