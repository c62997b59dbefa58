package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict reader MetricsControllerTest relies on refuses what Prometheus refuses. */
class PrometheusTextTest {
    private static final String GOOD = """
            # HELP relay_bytes_in_total media bytes "received"\\\\ from publishers
            # TYPE relay_bytes_in_total counter
            relay_bytes_in_total{node="a"} 100.0
            # TYPE relay_gap_seconds histogram
            relay_gap_seconds_bucket{le="1.0",node="a",outcome="x\\"y"} 0
            relay_gap_seconds_bucket{le="+Inf",node="a",outcome="x\\"y"} 2
            relay_gap_seconds_count{node="a",outcome="x\\"y"} 2
            relay_gap_seconds_sum{node="a",outcome="x\\"y"} 7.5e0
            """;

    @Test
    void readsAValidExposition() {
        List<PrometheusText.Sample> samples = PrometheusText.parse(GOOD);
        assertEquals(5, samples.size());
        assertEquals(Map.of("node", "a"), samples.get(0).labels());
        assertEquals("x\"y", samples.get(1).labels().get("outcome"));
        assertEquals(7.5, samples.get(4).value());
    }

    @Test
    void refusesWhatPrometheusRefuses() {
        for (String bad : List.of(
                "relay_x{node=\"a\"} 1\nrelay_y 1\nrelay_x{node=\"b\"} 1\n", // a family split in two
                "relay_x{node=\"a\"} 1\nrelay_x{node=\"a\"} 2\n", // the same series twice
                "relay_x{node=\"a\\t\"} 1\n", // an escape the format does not have
                "relay_x{node=\"a\",node=\"b\"} 1\n", // a label twice
                "relay_x{node=a} 1\n", // an unquoted value
                "relay_x{1node=\"a\"} 1\n", // a bad label name
                "relay_x 1,5\n", // not a float
                "relay_x 1 2 3\n", // more than a timestamp
                "# TYPE relay_x gauge\n# TYPE relay_x gauge\nrelay_x 1\n", // TYPE twice
                "# TYPE relay_x gauges\nrelay_x 1\n", // no such type
                "# TYPE relay_h histogram\nrelay_h_bucket{le=\"1\"} 1\nrelay_h_count 1\n", // no +Inf bucket
                "relay_x 1")) { // no final line feed
            assertThrows(AssertionError.class, () -> PrometheusText.parse(bad), bad);
        }
    }
}
