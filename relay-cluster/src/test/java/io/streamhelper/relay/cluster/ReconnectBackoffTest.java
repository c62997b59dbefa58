package io.streamhelper.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void halfASecondDoublingToFiveAndBackOnceListening() {
        ReconnectBackoff backoff = new ReconnectBackoff();
        List<Long> waits = IntStream.range(0, 7).mapToObj(i -> backoff.next().toMillis()).toList();
        assertEquals(List.of(500L, 1_000L, 2_000L, 4_000L, 5_000L, 5_000L, 5_000L), waits);
        assertEquals(Duration.ofSeconds(5), backoff.peek());
        backoff.reset();
        assertEquals(Duration.ofMillis(500), backoff.next());
        assertEquals(Duration.ofMillis(1_000), backoff.peek());
    }
}
