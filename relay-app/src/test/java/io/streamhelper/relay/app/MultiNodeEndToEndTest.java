package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.NginxStreamBalancer;
import io.streamhelper.relay.testkit.PostgresServer;
import io.streamhelper.relay.testkit.RelayNodeProcess;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 24's done-when, on loopback with real peers: two relay nodes, each its own JVM
 * (RelayNodeProcess, so one can be SIGKILLed), on one PostgreSQL, behind nginx's stream balancer
 * with source affinity (as deploy/multi-node/nginx.conf), relaying one stream to two nginx-rtmp
 * destinations. Checked in order, each step printing what it saw:
 * <ol>
 * <li>ffmpeg publishes through the balancer; both destinations play H.264 1280x720 + AAC; both
 *     nodes' APIs say which node owns the stream, and health shows both nodes;
 * <li>a destination disabled through the API of the node that does NOT own the stream unpublishes
 *     at nginx-rtmp within 1 s of the PUT's response (the change crosses to the owner by NOTIFY);
 * <li>the same key published to the other node's RTMP port directly is refused (BadName) while
 *     the first publisher goes on;
 * <li>the owner is SIGKILLed: an encoder publishing again through the balancer (refused until the
 *     dead node's lease expires) is live on the surviving node within 15 s of the kill, and both
 *     destinations (the disabled one re-enabled through the survivor's API) play again; the
 *     survivor's API shows the stream live on itself, both destinations live, one node alive;
 * <li>no stream key, destination key, ENCRYPTION_KEY or database password is in either node's log.
 * </ol>
 */
class MultiNodeEndToEndTest {
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(15);
    private final long started = System.nanoTime();

    @Test
    void aStreamRelaysThroughTheBalancerFollowsChangesMadeOnTheOtherNodeAndMovesWhenItsNodeDies() throws Exception {
        Tools.require("ffmpeg", "nginx");
        PostgresServer.TestDatabase db = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "multi-node-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        saw("PostgreSQL database and test clip ready");
        String encryptionKey = TestKeys.encryptionKeyHex();
        Map<String, String> cluster = Map.of("RELAY_DATABASE_URL", db.jdbcUrl(), "RELAY_DATABASE_USER", db.user(),
                "RELAY_DATABASE_PASSWORD", db.password(), "ENCRYPTION_KEY", encryptionKey);
        List<Process> publishers = new CopyOnWriteArrayList<>();
        try (NginxDestination first = NginxDestination.start(work.resolve("dest-1"));
                NginxDestination second = NginxDestination.start(work.resolve("dest-2"));
                Cluster c = Cluster.start(work, cluster);
                NginxStreamBalancer balancer = NginxStreamBalancer.start(work.resolve("balancer"),
                        List.of(c.a.rtmpPort(), c.b.rtmpPort()))) {
            RelayNodeProcess nodeA = c.a;
            RelayNodeProcess nodeB = c.b;
            saw("nodes up: node-a http " + nodeA.httpPort() + " rtmp " + nodeA.rtmpPort() + ", node-b http " + nodeB.httpPort()
                    + " rtmp " + nodeB.rtmpPort() + "; balancer on " + balancer.port());
            String token = c.api(nodeA).signUpAndLogin("cluster@example.com", "a long cluster passphrase");
            JsonNode created = c.api(nodeA).call("POST", "/api/v1/streams", "{\"name\":\"Cluster show\"}", token, 201);
            long streamId = created.get("id").asLong();
            String ingestKey = TestKeys.issued(created.get("key").asText());
            long destination1 = addDestination(c.api(nodeA), token, streamId, first, "first");
            long destination2 = addDestination(c.api(nodeA), token, streamId, second, "second");
            // The token made on node A works on node B: sessions live in the database, so a
            // round-robin API balancer needs no affinity.
            assertEquals(2, c.api(nodeB).call("GET", "/api/v1/stream-destinations/stream/" + streamId, null, token, 200).size(),
                    "node B reads what node A made, with A's token");

            // 1. Live through the balancer, to both destinations.
            publishers.add(Ffmpeg.publishLooping(clip, balancer.rtmpUrl() + "/" + ingestKey, work.resolve("publisher-1.log")));
            await("both destinations see the publish").atMost(Duration.ofSeconds(20))
                    .until(() -> publishes(first) == 1 && publishes(second) == 1);
            first.assertPlaysH264AndAac(1280, 720, Duration.ofSeconds(20));
            second.assertPlaysH264AndAac(1280, 720, Duration.ofSeconds(20));
            saw("both destinations play H.264 1280x720 + AAC");
            AtomicReference<String> owned = new AtomicReference<>();
            await("both nodes' APIs name the same owner").atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> owned.set(c.ownerAsSeenByBoth(token, streamId)));
            String ownerId = owned.get();
            RelayNodeProcess owner = ownerId.equals("node-a") ? nodeA : nodeB;
            RelayNodeProcess other = owner == nodeA ? nodeB : nodeA;
            saw("owner " + owner.nodeId() + " (API of both nodes agrees); balancer sessions so far: " + balancer.finishedSessions());
            for (RelayNodeProcess node : List.of(nodeA, nodeB)) {
                await(node.nodeId() + "'s health shows both nodes and the one live stream").atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> c.assertHealth(node, 2, 1));
            }
            await("the other node shows the owner's destination states").atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> c.assertDestinationStates(other, token, streamId, "live", "live"));

            // 2. Disabled through the node that does not own the stream.
            int ended1 = publishDones(first);
            c.api(other).call("PUT", "/api/v1/stream-destinations/" + destination2, "{\"enabled\":false}", token, 200);
            long answered = System.nanoTime();
            AtomicReference<Long> unpublishedMs = new AtomicReference<>();
            await("the destination disabled through " + other.nodeId() + " unpublishes within 1 s of the PUT's answer")
                    .atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> {
                        if (publishDones(second) == 1) {
                            unpublishedMs.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered));
                            return true;
                        }
                        return false;
                    });
            saw("destination 2 disabled through " + other.nodeId() + ": unpublished at nginx-rtmp " + unpublishedMs.get()
                    + " ms after the PUT's answer");
            assertEquals(ended1, publishDones(first), "the first destination went on");
            await("both APIs show the second destination idle").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                c.assertDestinationStates(owner, token, streamId, "live", "idle");
                c.assertDestinationStates(other, token, streamId, "live", "idle");
            });

            // 3. The same key straight to the other node is refused while the stream is live on its owner.
            Process duplicate = Ffmpeg.publish(clip, other.rtmpUrl() + "/" + ingestKey, work.resolve("duplicate.log"));
            publishers.add(duplicate);
            assertTrue(duplicate.waitFor(15, TimeUnit.SECONDS), "ffmpeg publishing to " + other.nodeId() + " directly gave up");
            String duplicateLog = Files.readString(work.resolve("duplicate.log"));
            assertNotEquals(0, duplicate.exitValue(), "ffmpeg reports the refusal: " + duplicateLog);
            // ffmpeg prints the refusal's description (the same words a duplicate publish on one node gets).
            assertTrue(duplicateLog.contains("the stream is live from another encoder"),
                    "refused as a duplicate publish is: " + duplicateLog);
            assertTrue(publishers.get(0).isAlive(), "the first publisher goes on");
            assertEquals(ended1, publishDones(first), "the first destination was not interrupted");
            assertEquals(ownerId, c.ownerAsSeenBy(c.api(other), token, streamId), "still owned by " + ownerId);
            saw("publishing the same key to " + other.nodeId() + " directly: refused as live from another encoder");

            // 4. The owner dies.
            int published1 = publishes(first);
            int published2 = publishes(second);
            long killed = System.nanoTime();
            owner.kill();
            saw(owner.nodeId() + " SIGKILLed (exit 137)");
            publishers.get(0).destroyForcibly(); // the encoder's connection died with the node
            c.api(other).call("PUT", "/api/v1/stream-destinations/" + destination2, "{\"enabled\":true}", token, 200);
            RelayHttp survivor = c.api(other);
            List<String> attempts = new ArrayList<>();
            AtomicReference<Process> encoder = new AtomicReference<>();
            // An encoder retrying as OBS does: each attempt a new publish through the balancer,
            // refused while the dead node's lease is still valid (its heartbeat under 10 s old).
            await("a publish through the balancer is live on " + other.nodeId() + " within " + TAKEOVER_LIMIT.toSeconds()
                    + " s of the kill").atMost(TAKEOVER_LIMIT.minusNanos(System.nanoTime() - killed))
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        Process current = encoder.get();
                        if (current == null || !current.isAlive()) {
                            if (current != null) {
                                attempts.add(String.format("%.1f s: exit %d", seconds(killed), current.exitValue()));
                            }
                            Path log = work.resolve("publisher-retry-" + attempts.size() + ".log");
                            current = Ffmpeg.publishLooping(clip, balancer.rtmpUrl() + "/" + ingestKey, log);
                            encoder.set(current);
                            publishers.add(current);
                        }
                        JsonNode stream = survivor.call("GET", "/api/v1/streams/" + streamId, null, token, 200);
                        return stream.path("isLive").asBoolean() && other.nodeId().equals(stream.path("node").asText());
                    });
            double takeover = seconds(killed);
            saw(String.format("live on %s %.1f s after the kill; refused attempts before: %s", other.nodeId(), takeover, attempts));
            await("both destinations see a new publish").atMost(Duration.ofSeconds(15))
                    .until(() -> publishes(first) > published1 && publishes(second) > published2);
            first.assertPlaysH264AndAac(1280, 720, Duration.ofSeconds(20));
            second.assertPlaysH264AndAac(1280, 720, Duration.ofSeconds(20));
            saw("both destinations play H.264 1280x720 + AAC again");
            await(other.nodeId() + "'s API shows both destinations live").atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> c.assertDestinationStates(other, token, streamId, "live", "live"));
            await(other.nodeId() + "'s health shows one node alive (the dead one's heartbeat aged out)")
                    .atMost(Duration.ofSeconds(15)).untilAsserted(() -> c.assertHealth(other, 1, 1));
            saw(other.nodeId() + "'s API: stream live on " + other.nodeId() + ", both destinations live, 1 node alive");

            // 5. Nothing secret in the logs: the killed node's as written, the survivor's after a clean stop.
            encoder.get().destroyForcibly();
            assertEquals(0, other.stop(), other.nodeId() + " stops cleanly:\n" + other.log());
            for (RelayNodeProcess node : List.of(nodeA, nodeB)) {
                String log = node.log();
                for (String secret : List.of(ingestKey, first.destinationKey, second.destinationKey, encryptionKey, db.password(), token)) {
                    assertFalse(log.contains(secret), node.nodeId() + "'s log holds a key or password (" + secret.length() + " chars)");
                }
            }
            saw("neither node's log holds a stream key, destination key, ENCRYPTION_KEY, database password or token");
        } finally {
            publishers.forEach(Process::destroyForcibly);
        }
    }

    private static long addDestination(RelayHttp api, String token, long streamId, NginxDestination sink, String name) throws Exception {
        return api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\",\"rtmpUrl\":\""
                + sink.nginx.rtmpUrl() + "\",\"streamKey\":\"" + sink.destinationKey + "\",\"displayName\":\"" + name + "\"}",
                token, 201).get("id").asLong();
    }

    private static int publishes(NginxDestination sink) {
        return (int) sink.hooks.calls("publish").stream().filter(c -> c.name().equals(sink.destinationKey)).count();
    }

    private static int publishDones(NginxDestination sink) {
        return (int) sink.hooks.calls("publish_done").stream().filter(c -> c.name().equals(sink.destinationKey)).count();
    }

    private double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** One line of what the test saw, with the time since it began (in the test's output file). */
    private void saw(String what) {
        System.out.printf("MultiNodeEndToEndTest: %5.1f s %s%n", seconds(started), what);
    }

    /** The two nodes, their APIs and what a check reads from them. */
    private static final class Cluster implements AutoCloseable {
        private final RelayNodeProcess a;
        private final RelayNodeProcess b;
        private final RelayHttp apiA;
        private final RelayHttp apiB;

        private Cluster(RelayNodeProcess a, RelayNodeProcess b) {
            this.a = a;
            this.b = b;
            this.apiA = new RelayHttp(a.httpPort());
            this.apiB = new RelayHttp(b.httpPort());
        }

        /**
         * Starts node-a and node-b at once (a JVM start is most of the test's set-up time; Flyway
         * holds PostgreSQL's lock while one of them migrates, and the other then finds it done).
         */
        static Cluster start(Path work, Map<String, String> settings) throws Exception {
            CompletableFuture<RelayNodeProcess> b = CompletableFuture.supplyAsync(() -> startNode(work, "node-b", settings));
            RelayNodeProcess a;
            try {
                a = startNode(work, "node-a", settings);
            } catch (RuntimeException | Error e) {
                b.thenAccept(RelayNodeProcess::close);
                throw e;
            }
            try {
                return new Cluster(a, b.join());
            } catch (CompletionException e) {
                a.close();
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }

        private static RelayNodeProcess startNode(Path work, String id, Map<String, String> settings) {
            try {
                return RelayNodeProcess.start(work.resolve(id), id, settings);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }

        RelayHttp api(RelayNodeProcess node) {
            return node == a ? apiA : apiB;
        }

        /** The stream's {@code node} as one API says it, or null while it says the stream is not live. */
        String ownerAsSeenBy(RelayHttp api, String token, long streamId) throws Exception {
            return owner(api.call("GET", "/api/v1/streams/" + streamId, null, token, 200));
        }

        private static String owner(JsonNode stream) {
            return stream.path("isLive").asBoolean() && stream.hasNonNull("node") ? stream.get("node").asText() : null;
        }

        /** The owner both nodes' APIs name (a node id); fails saying what each said when they do not agree. */
        String ownerAsSeenByBoth(String token, long streamId) throws Exception {
            JsonNode byA = apiA.call("GET", "/api/v1/streams/" + streamId, null, token, 200);
            JsonNode byB = apiB.call("GET", "/api/v1/streams/" + streamId, null, token, 200);
            String seenByA = owner(byA);
            String seenByB = owner(byB);
            assertTrue(seenByA != null && seenByA.equals(seenByB) && List.of("node-a", "node-b").contains(seenByA),
                    "the stream live on one named node: node-a's API says " + brief(byA) + ", node-b's says " + brief(byB));
            return seenByA;
        }

        /** Where a stream is, as an API entry says it (no key). */
        private static String brief(JsonNode stream) {
            return "{isLive " + stream.path("isLive") + ", state " + stream.path("state") + ", node " + stream.path("node") + "}";
        }

        /** The health check names the node, counts the nodes alive and the streams live in the whole service. */
        void assertHealth(RelayNodeProcess node, int nodesAlive, int serviceStreams) throws Exception {
            JsonNode health = api(node).call("GET", "/api/v1/server/healthcheck", null, null, 200);
            assertEquals(node.nodeId(), health.path("node").asText(), "health names its node: " + health);
            JsonNode nodes = health.path("nodes");
            int alive = nodes.isArray() ? nodes.size() : nodes.asInt(-1);
            assertEquals(nodesAlive, alive, "nodes alive as " + node.nodeId() + " sees them: " + health);
            assertEquals(serviceStreams, health.path("serviceActiveStreams").asInt(-1), "streams live in the service: " + health);
        }

        /** The states the node's API gives the stream's two destinations (first, second), by display name. */
        void assertDestinationStates(RelayNodeProcess node, String token, long streamId, String first, String second) throws Exception {
            JsonNode list = api(node).call("GET", "/api/v1/stream-destinations/stream/" + streamId, null, token, 200);
            String seen = "";
            String firstState = null;
            String secondState = null;
            for (JsonNode d : list) {
                String state = d.path("status").path("state").asText();
                seen += d.path("displayName").asText() + "=" + state + "(enabled " + d.path("enabled").asBoolean() + ") ";
                if (d.path("displayName").asText().equals("first")) {
                    firstState = state;
                } else if (d.path("displayName").asText().equals("second")) {
                    secondState = state;
                }
            }
            assertEquals(first + "/" + second, firstState + "/" + secondState, node.nodeId() + "'s API: " + seen);
        }
    }
}
