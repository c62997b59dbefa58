package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestConfig;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.core.destination.DestinationTarget;
import io.streamhelper.relay.core.media.MediaKind;
import io.streamhelper.relay.core.media.MediaMessage;
import io.streamhelper.relay.core.publish.PublishRejectedException;
import io.streamhelper.relay.core.publish.StaticStreamCatalog;
import io.streamhelper.relay.core.publish.StreamGrant;
import io.streamhelper.relay.core.secret.Secret;
import io.streamhelper.relay.core.stream.LiveStream;
import io.streamhelper.relay.core.stream.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class MetricsControllerTest {
    /** JavalinTest hides the log of a passing test; relay-logscan must see every log line. */
    private static final TestConfig KEEP_LOGS = new TestConfig(true, false, new OkHttpClient());
    private static final String TOKEN = TestKeys.token();
    private static final String INGEST_KEY = TestKeys.ingest();

    private static StreamRegistry registry() {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", "One"), Secret.of(INGEST_KEY), List.<DestinationTarget>of())));
        return new StreamRegistry(catalog, catalog, (t, l) -> {
            throw new AssertionError("no destinations");
        });
    }

    /** The value of one sample line, e.g. {@code relay_active_streams 1.0}; fails when absent. */
    private static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), series + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void offWithoutATokenAndClosedToWrongOnes() {
        JavalinTest.test(new ApiServer(registry(), Clock.systemUTC()).javalin(), KEEP_LOGS, (server, client) -> {
            assertEquals(404, client.get("/metrics").code());
        });
        JavalinTest.test(new ApiServer(registry(), Clock.systemUTC(), Optional.of(Secret.of(TOKEN))).javalin(), KEEP_LOGS, (server, client) -> {
            assertEquals(401, client.get("/metrics").code());
            assertEquals(401, client.get("/metrics", r -> r.header("Authorization", "Bearer wrong")).code());
        });
    }

    @Test
    void countersMoveWithTheRelay() {
        StreamRegistry registry = registry();
        JavalinTest.test(new ApiServer(registry, Clock.systemUTC(), Optional.of(Secret.of(TOKEN))).javalin(), KEEP_LOGS, (server, client) -> {
            var auth = (java.util.function.Consumer<Request.Builder>) r -> r.header("Authorization", "Bearer " + TOKEN);
            String before = client.get("/metrics", auth).body().string();
            assertEquals(0.0, sample(before, "relay_active_streams"));
            assertTrue(before.contains("jvm_memory_used_bytes"), "JVM metrics are there");
            assertTrue(before.contains("relay_netty_direct_memory_bytes"));

            assertThrows(PublishRejectedException.class, () -> registry.beginPublish("wrong", ImmediateEventExecutor.INSTANCE));
            LiveStream live = registry.beginPublish(INGEST_KEY, ImmediateEventExecutor.INSTANCE);
            live.publish(new MediaMessage(MediaKind.AUDIO, 0, Unpooled.wrappedBuffer(new byte[100])));
            String after = client.get("/metrics", auth).body().string();
            assertEquals(1.0, sample(after, "relay_active_streams"));
            assertEquals(100.0, sample(after, "relay_bytes_in_total"));
            assertEquals(1.0, sample(after, "relay_publish_rejections_total{reason=\"unknown_key\"}"));
            assertTrue(!after.contains(INGEST_KEY), "no key in metrics");
            registry.endPublish(live);
        });
    }
}
