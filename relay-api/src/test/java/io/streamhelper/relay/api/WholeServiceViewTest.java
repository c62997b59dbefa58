package io.streamhelper.relay.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.cluster.NodeStatus;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one database, in one JVM, without the heartbeat between them: node-a is a second
 * registry over the fixture's database, whose streams relay to in-memory destinations; node-b is
 * the fixture's API. What node-a publishes (LocalStatus, the heartbeat's status) is read back as
 * the other nodes read it (NodeStatus) and handed to node-b's API through a plain OtherNodes: the
 * view's seam. Then every view of node-b answers for node-a's stream too.
 */
class WholeServiceViewTest {
    private static final String YOUTUBE_KEY = TestKeys.destination();

    @TempDir
    Path dir;

    private final EventLoop loop = new DefaultEventLoop();
    private final ManualScheduler streamTime = new ManualScheduler();
    private final Map<String, DestinationLink.Listener> links = new ConcurrentHashMap<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** What node-b's view holds of the other nodes: what the test last "heard" from them. */
    private static final class Heard implements OtherNodes {
        volatile List<Node> nodes = List.of();

        @Override
        public Optional<RemoteStream> stream(String streamId) {
            return nodes.stream().flatMap(n -> n.streams().stream()).filter(s -> s.streamId().equals(streamId)).findFirst();
        }

        @Override
        public List<Node> nodes() {
            return nodes;
        }
    }

    /** A destination connection that keeps nothing; the test says when it is live. */
    private final class MemoryLink implements DestinationLink {
        private final DestinationLink.Listener listener;

        MemoryLink(DestinationTarget target, DestinationLink.Listener listener) {
            this.listener = listener;
            links.put(target.id(), listener);
        }

        @Override
        public void send(MediaMessage message) {
            message.release();
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long bytesSent() {
            return 0;
        }

        @Override
        public void close() {
            listener.onClosed(this, null);
        }

        @Override
        public void abort(Throwable reason) {
            listener.onClosed(this, reason);
        }

        void live() {
            listener.onLive(this);
        }
    }

    private final Map<String, MemoryLink> memoryLinks = new ConcurrentHashMap<>();

    private final DestinationConnector memory = new DestinationConnector() {
        @Override
        public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
            MemoryLink link = new MemoryLink(target, listener);
            memoryLinks.put(target.id(), link);
            return link;
        }

        @Override
        public Timers timers(EventExecutor executor) {
            return ApiFixture.virtualTimers(streamTime);
        }
    };

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ApiFixture nodeB(Heard heard) {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.nodeId = "node-b";
        settings.others = heard;
        settings.resolver = host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 142, (byte) 250, 1, 1})};
        ApiFixture api = new ApiFixture(dir, settings);
        toClose.add(api);
        return api;
    }

    /** node-a: another registry on node-b's database, as a second node on the same PostgreSQL is. */
    private StreamRegistry nodeA(ApiFixture api) {
        DatabaseCatalog catalog = new DatabaseCatalog(api.database.streams(), api.database.destinations(),
                api.database.streamSessions(), DatabaseCatalog.DEFAULT_SESSION_HISTORY, Clock.systemUTC());
        toClose.add(0, catalog::close);
        return new StreamRegistry(catalog, catalog, memory, StreamRegistry.Settings.defaults()
                .withPublisherGrace(Duration.ofSeconds(30)));
    }

    /** node-a's heartbeat status, read back the way ClusterView reads it. */
    private static void hear(Heard heard, StreamRegistry nodeA, List<OtherNodes.Node> more) throws Exception {
        String status = new LocalStatus("node-a", nodeA, Clock.systemUTC()).json();
        List<OtherNodes.Node> nodes = new ArrayList<>();
        nodes.add(new OtherNodes.Node("node-a", 400, NodeStatus.streams("node-a", status)));
        nodes.addAll(more);
        heard.nodes = List.copyOf(nodes);
    }

    private static JsonNode byId(JsonNode streams, long id) {
        for (JsonNode s : streams) {
            if (s.get("id").asText().equals(String.valueOf(id))) {
                return s;
            }
        }
        throw new AssertionError("stream " + id + " not in " + streams);
    }

    @Test
    void everyViewOfOneNodeAnswersForAStreamLiveOnAnother() throws Exception {
        Heard heard = new Heard();
        ApiFixture api = nodeB(heard);
        StreamRegistry nodeA = nodeA(api);
        api.test(() -> {
            String admin = api.userToken("admin@example.com"); // the first account
            String alice = api.userToken("alice@example.com");
            String bob = api.userToken("bob@example.com");
            ApiFixture.CreatedStream there = api.createStream(alice, "On node a");
            ApiFixture.CreatedStream here = api.createStream(alice, "On node b");
            ApiFixture.CreatedStream off = api.createStream(alice, "Off the air");
            ApiFixture.Response created = api.post("/api/v1/stream-destinations", "{\"streamId\":" + there.id()
                    + ",\"platform\":\"custom\",\"rtmpUrl\":\"rtmp://backup.example.com/app\",\"streamKey\":\"" + YOUTUBE_KEY
                    + "\"}", alice); // custom: no codec list, so it connects before any media
            assertEquals(201, created.status(), created.body());
            long destination = created.json().get("id").asLong();
            assertEquals("idle", created.json().at("/status/state").asText());

            Publication onA = nodeA.beginPublish(there.key(), loop, "198.51.100.7:50000");
            await().atMost(Duration.ofSeconds(5)).until(() -> memoryLinks.containsKey(String.valueOf(destination)));
            loop.submit(() -> memoryLinks.get(String.valueOf(destination)).live()).sync();
            Publication onB = api.registry.beginPublish(here.key(), loop, "203.0.113.9:40000");
            // node-c names node-b's stream too (a moment while it moves): node-b's own registry wins.
            hear(heard, nodeA, List.of(new OtherNodes.Node("node-c", 900, List.of(new OtherNodes.RemoteStream("node-c",
                    String.valueOf(here.id()), "live", Map.of(), "{\"id\":\"" + here.id() + "\",\"name\":\"stale\"}", 2)))));

            // The stats: both streams, each with the node relaying it; the remote one with its destination.
            ApiFixture.Response stats = api.get("/api/v1/stats", alice);
            assertEquals(200, stats.status(), stats.body());
            JsonNode streams = stats.json().get("streams");
            assertEquals(2, streams.size(), streams.toString());
            JsonNode remote = byId(streams, there.id());
            assertEquals("node-a", remote.get("node").asText());
            assertEquals("On node a", remote.get("name").asText());
            assertEquals("live", remote.get("state").asText());
            assertEquals("198.51.100.7:50000", remote.get("publisher").asText());
            assertEquals("live", remote.at("/destinations/0/state").asText(), remote.toString());
            assertEquals("backup.example.com", remote.at("/destinations/0/host").asText());
            assertEquals("node-b", byId(streams, here.id()).get("node").asText());
            assertEquals(0, api.get("/api/v1/stats", bob).json().get("streams").size(), "bob sees none of alice's");
            assertEquals(2, api.get("/api/v1/stats", admin).json().get("streams").size(), "admins see every node's");

            // A rename shows at once on the remote stream too: the name is the catalog's, not the heartbeat's.
            assertEquals(200, api.send("PUT", "/api/v1/streams/" + there.id(), "{\"name\":\"Renamed\"}", alice).status());
            assertEquals("Renamed", byId(api.get("/api/v1/stats", alice).json().get("streams"), there.id()).get("name").asText());

            // Health: this node, the alive nodes (self included), the streams on air on all of them.
            JsonNode health = api.get("/api/v1/server/healthcheck", null).json();
            assertEquals("node-b", health.get("node").asText());
            assertEquals(3, health.get("nodes").asInt(), health.toString());
            assertEquals(1, health.get("activeStreams").asInt());
            assertEquals(2, health.get("serviceActiveStreams").asInt(), "node-c's copy of node-b's stream counts once: " + health);

            // The stream resources: live (and where) wherever the stream is on air.
            JsonNode thereView = api.get("/api/v1/streams/" + there.id(), alice).json();
            assertTrue(thereView.get("isLive").asBoolean(), thereView.toString());
            assertEquals("live", thereView.get("state").asText());
            assertEquals("node-a", thereView.get("node").asText());
            assertEquals("node-b", api.get("/api/v1/streams/" + here.id(), alice).json().get("node").asText());
            JsonNode offView = api.get("/api/v1/streams/" + off.id(), alice).json();
            assertFalse(offView.get("isLive").asBoolean());
            assertTrue(offView.get("node").isNull(), offView.toString());
            JsonNode list = api.get("/api/v1/streams", alice).json();
            assertEquals("node-a", byId(list, there.id()).get("node").asText());

            // The destination's status is the owner's published one.
            JsonNode d = api.get("/api/v1/stream-destinations/" + destination, alice).json();
            assertEquals("live", d.at("/status/state").asText(), d.toString());
            assertTrue(d.at("/status/since").isTextual(), d.toString());
            assertEquals("live", api.get("/api/v1/stream-destinations/stream/" + there.id(), alice).json().at("/0/status/state").asText());

            // Its encoder drops: node-a holds it in its grace, and says so.
            onA.lost();
            await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.liveStream(String.valueOf(there.id()))
                    .map(st -> st.state() == io.streamhelper.relay.engine.stream.StreamState.RECONNECTING).orElse(false));
            hear(heard, nodeA, List.of());
            JsonNode waiting = api.get("/api/v1/streams/" + there.id(), alice).json();
            assertEquals("reconnecting", waiting.get("state").asText(), waiting.toString());
            assertTrue(waiting.get("isLive").asBoolean());
            assertTrue(waiting.get("graceEndsAt").isTextual(), waiting.toString());
            assertEquals("reconnecting", byId(api.get("/api/v1/stats", alice).json().get("streams"), there.id()).get("state").asText());

            // node-a stops publishing it (its grace ran out): off the air everywhere.
            streamTime.advance(Duration.ofSeconds(31));
            await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.liveStreams().isEmpty());
            hear(heard, nodeA, List.of());
            assertEquals("offline", api.get("/api/v1/streams/" + there.id(), alice).json().get("state").asText());
            assertEquals("idle", api.get("/api/v1/stream-destinations/" + destination, alice).json().at("/status/state").asText());
            assertEquals(1, api.get("/api/v1/server/healthcheck", null).json().get("serviceActiveStreams").asInt());

            for (String body : List.of(stats.body(), health.toString(), d.toString())) {
                assertFalse(body.contains(YOUTUBE_KEY), body);
            }
            onB.end();
        });
    }

    /** The heartbeat's status: no key, no URL, each destination's status, bounded however many streams there are. */
    @Test
    void theStatusANodePublishesHoldsNoSecretAndIsBounded() throws Exception {
        List<StaticStreamCatalog.Entry> entries = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        String pathSecret = TestKeys.destination();
        for (int i = 0; i < 40; i++) {
            String key = TestKeys.ingest();
            keys.add(key);
            entries.add(new StaticStreamCatalog.Entry(new StreamGrant("s" + i, "Stream " + i, 1), Secret.of(key),
                    List.of(new DestinationTarget("d" + i, "Backup", "rtmp://user:pw@backup.example.com/app/" + pathSecret,
                            Secret.of(YOUTUBE_KEY), "custom"))));
        }
        StaticStreamCatalog catalog = new StaticStreamCatalog(entries);
        StreamRegistry registry = new StreamRegistry(catalog, catalog, memory, StreamRegistry.Settings.defaults());
        List<Publication> live = new ArrayList<>();
        for (String key : keys) {
            live.add(registry.beginPublish(key, loop, "198.51.100.7:50000"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> memoryLinks.size() == 40);

        String all = new LocalStatus("node-a", registry, Clock.systemUTC()).json();
        for (String secret : List.of(YOUTUBE_KEY, pathSecret, "rtmp://", "user:pw", keys.get(0))) {
            assertFalse(all.contains(secret), "the status shows " + secret + ": " + all);
        }
        List<OtherNodes.RemoteStream> read = NodeStatus.streams("node-a", all);
        assertEquals(40, read.size());
        assertEquals("connecting", read.get(0).destinations().get("d0").status(), read.get(0).toString());
        assertEquals(1, read.get(0).ownerId());

        String bounded = new LocalStatus("node-a", registry, Clock.systemUTC(), 8 * 1024).json();
        assertTrue(bounded.getBytes(StandardCharsets.UTF_8).length <= 8 * 1024, bounded.length() + " bytes");
        JsonNode parsed = RemoteReport.JSON.readTree(bounded);
        int listed = parsed.get("streams").size();
        assertTrue(listed > 0 && listed < 40, "listed " + listed);
        assertEquals(40 - listed, parsed.get("omittedStreams").asInt());
        live.forEach(Publication::end);
    }
}
