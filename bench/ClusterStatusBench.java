import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster status's cost on PostgreSQL, run by cluster-status-bench.sh against the jar's own
 * classes (the JDBC driver and Jackson the relay ships), so that what is timed is what a node runs:
 *
 * <pre>
 * synth STATUS STREAMS OUT           a status of STREAMS streams made of STATUS's real entries
 * write URL USER PASS STATUS N CONNS [EVERY_MS]
 *                                    N heartbeats (the relay's statement) over CONNS connections,
 *                                    one node id each, as fast as they go, or each connection one
 *                                    every EVERY_MS as a node does (2000), their phases spread over
 *                                    the interval; prints statements/s and ms per statement
 * read URL USER PASS RUNS            RUNS reads of the alive nodes (the relay's query) after a
 *                                    warm-up; prints ms to fetch and ms to parse the statuses
 * </pre>
 *
 * The SQL is copied from JdbiClusterStore (heartbeat, aliveNodes): keep them the same.
 */
public final class ClusterStatusBench {
    private static final String NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
    private static final String HEARTBEAT = "INSERT INTO relay_nodes (node_id, started_at, heartbeat_at, status)"
            + " VALUES (?, " + NOW + ", " + NOW + ", ?)"
            + " ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, status = EXCLUDED.status"
            + " RETURNING heartbeat_at";
    private static final String ALIVE = "SELECT node_id, started_at, t.now - heartbeat_at AS age, status"
            + " FROM relay_nodes, (SELECT " + NOW + " AS now) t"
            + " WHERE heartbeat_at > t.now - ? ORDER BY node_id";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a service's streams mostly share (one encoder preset): left as the real status has it. */
    private static final java.util.Set<String> SAME_EVERYWHERE = java.util.Set.of("width", "height", "fps", "declaredFps");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "synth" -> synth(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "write" -> write(args[1], args[2], args[3], Files.readString(Path.of(args[4])),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), args.length > 7 ? Long.parseLong(args[7]) : 0);
            case "read" -> read(args[1], args[2], args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("synth, write or read");
        }
    }

    /** Replicates the real stream entries (cycling through them) under new ids; no cap applied. */
    private static void synth(Path real, int count, Path out) throws Exception {
        ObjectNode status = (ObjectNode) JSON.readTree(Files.readString(real));
        ArrayNode entries = (ArrayNode) status.get("streams");
        ArrayNode streams = JSON.createArrayNode();
        java.util.Random random = new java.util.Random(24);
        int destination = 100_000;
        for (int i = 0; i < count; i++) {
            ObjectNode entry = entries.get(i % entries.size()).deepCopy();
            String id = String.valueOf(100_000 + i);
            entry.put("id", id);
            ObjectNode report = (ObjectNode) entry.get("report");
            report.put("id", id);
            report.put("name", "bench stream " + id);
            // Every destination an id of its own, in both places the status names it.
            ObjectNode renamed = JSON.createObjectNode();
            ArrayNode reported = (ArrayNode) report.get("destinations");
            int d = 0;
            for (var field : (Iterable<java.util.Map.Entry<String, JsonNode>>) entry.get("destinations")::fields) {
                String newId = String.valueOf(destination++);
                renamed.set(newId, field.getValue());
                if (d < reported.size()) {
                    ((ObjectNode) reported.get(d++)).put("id", newId);
                }
            }
            entry.set("destinations", renamed);
            vary(entry, random);
            streams.add(entry);
        }
        status.set("streams", streams);
        status.put("omittedStreams", 0);
        Files.writeString(out, status.toString());
    }

    /**
     * Counters and instants as different from stream to stream as real ones are (same length),
     * so that PostgreSQL's compression of the row sees no more repetition than a real node's.
     */
    private static void vary(JsonNode node, java.util.Random random) {
        if (node instanceof ObjectNode object) {
            for (var field : (Iterable<java.util.Map.Entry<String, JsonNode>>) object::fields) {
                JsonNode value = field.getValue();
                if (value.isIntegralNumber() && value.asLong() >= 100 && !SAME_EVERYWHERE.contains(field.getKey())) {
                    long magnitude = (long) Math.pow(10, String.valueOf(value.asLong()).length() - 1);
                    field.setValue(JSON.getNodeFactory().numberNode(magnitude + (long) (random.nextDouble() * 9 * magnitude)));
                } else if (value.isFloatingPointNumber() && value.asDouble() >= 10) {
                    field.setValue(JSON.getNodeFactory().numberNode(Math.round(value.asDouble() * (0.5 + random.nextDouble()) * 10) / 10.0));
                } else if (value.isTextual() && value.asText().matches("\\d{4}-\\d\\d-\\d\\dT.*\\.\\d+Z")) {
                    String text = value.asText();
                    int dot = text.lastIndexOf('.');
                    StringBuilder nanos = new StringBuilder();
                    for (int i = dot + 1; i < text.length() - 1; i++) {
                        nanos.append(random.nextInt(10));
                    }
                    field.setValue(JSON.getNodeFactory().textNode(text.substring(0, dot - 2) + String.format("%02d", random.nextInt(60))
                            + "." + nanos + "Z"));
                } else {
                    vary(value, random);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(element -> vary(element, random));
        }
    }

    private static void write(String url, String user, String pass, String status, int n, int conns, long everyMs)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        long[] latencies = new long[n];
        AtomicLong next = new AtomicLong();
        // Warm-up: the driver's and the server's first statements (plan, TOAST table pages) untimed.
        try (Connection c = DriverManager.getConnection(url, user, pass); PreparedStatement ps = c.prepareStatement(HEARTBEAT)) {
            for (int i = 0; i < 20; i++) {
                heartbeat(ps, "bench-w-0", status);
            }
        }
        long start = System.nanoTime();
        for (int t = 0; t < conns; t++) {
            String node = "bench-w-" + t;
            long phase = everyMs * 1_000_000L * t / conns;
            Thread thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, user, pass); PreparedStatement ps = c.prepareStatement(HEARTBEAT)) {
                    for (long i, k = 0; (i = next.getAndIncrement()) < n; k++) {
                        if (everyMs > 0) {
                            long due = start + phase + k * everyMs * 1_000_000L;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                            }
                        }
                        long t0 = System.nanoTime();
                        heartbeat(ps, node, status);
                        latencies[(int) i] = System.nanoTime() - t0;
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        System.out.printf("write every_ms=%d status_bytes=%d connections=%d statements=%d statements_per_s=%.1f ms_mean=%.2f ms_p50=%.2f ms_p99=%.2f%n",
                everyMs, status.getBytes(StandardCharsets.UTF_8).length, conns, n, n / seconds,
                Arrays.stream(latencies).average().orElse(0) / 1e6, latencies[n / 2] / 1e6, latencies[(int) (n * 0.99)] / 1e6);
    }

    private static void heartbeat(PreparedStatement ps, String node, String status) throws Exception {
        ps.setString(1, node);
        ps.setString(2, status);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static void read(String url, String user, String pass, int runs) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, pass); PreparedStatement ps = c.prepareStatement(ALIVE)) {
            ps.setLong(1, 10_000);
            int warmup = 10;
            double[] fetch = new double[runs];
            double[] parse = new double[runs];
            long bytes = 0;
            int rows = 0;
            int streams = 0;
            for (int r = -warmup; r < runs; r++) {
                long t0 = System.nanoTime();
                List<String> statuses = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                        rs.getLong(2);
                        rs.getLong(3);
                        statuses.add(rs.getString(4));
                    }
                }
                long t1 = System.nanoTime();
                int s = 0;
                for (String status : statuses) {
                    JsonNode root = JSON.readTree(status);
                    s += root.path("streams").size();
                }
                long t2 = System.nanoTime();
                if (r >= 0) {
                    fetch[r] = (t1 - t0) / 1e6;
                    parse[r] = (t2 - t1) / 1e6;
                    rows = statuses.size();
                    streams = s;
                    bytes = statuses.stream().mapToLong(x -> x.getBytes(StandardCharsets.UTF_8).length).sum();
                }
            }
            Arrays.sort(fetch);
            Arrays.sort(parse);
            System.out.printf("read rows=%d streams=%d bytes=%d runs=%d fetch_ms_median=%.1f fetch_ms_min=%.1f fetch_ms_max=%.1f"
                            + " parse_ms_median=%.1f parse_ms_min=%.1f parse_ms_max=%.1f%n",
                    rows, streams, bytes, runs, fetch[runs / 2], fetch[0], fetch[runs - 1],
                    parse[runs / 2], parse[0], parse[runs - 1]);
        }
    }
}
