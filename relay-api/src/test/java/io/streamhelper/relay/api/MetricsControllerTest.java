package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.core.media.MediaKind;
import io.streamhelper.relay.core.media.MediaMessage;
import io.streamhelper.relay.core.publish.PublishRejectedException;
import io.streamhelper.relay.core.secret.Secret;
import io.streamhelper.relay.core.stream.LiveStream;
import io.streamhelper.relay.core.stream.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsControllerTest {
    private static final String TOKEN = TestKeys.token();

    @TempDir
    Path dir;

    private ApiFixture api(Optional<Secret> token) {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.metricsToken = token;
        return new ApiFixture(dir, settings);
    }

    /** The value of one sample line, e.g. {@code relay_active_streams 1.0}; fails when absent. */
    private static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), series + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void offWithoutATokenAndClosedToWrongOnes() throws Exception {
        try (ApiFixture api = api(Optional.empty())) {
            api.test(() -> assertEquals(404, api.get("/metrics", null).status()));
        }
        try (ApiFixture api = api(Optional.of(Secret.of(TOKEN)))) {
            api.test(() -> {
                assertEquals(401, api.get("/metrics", null).status());
                assertEquals(401, api.get("/metrics", "wrong").status());
            });
        }
    }

    @Test
    void countersMoveWithTheRelay() throws Exception {
        try (ApiFixture api = api(Optional.of(Secret.of(TOKEN)))) {
            api.test(() -> {
                StreamRegistry registry = api.registry;
                String before = api.get("/metrics", TOKEN).body();
                assertEquals(0.0, sample(before, "relay_active_streams"));
                assertTrue(before.contains("jvm_memory_used_bytes"), "JVM metrics are there");
                assertTrue(before.contains("relay_netty_direct_memory_bytes"));

                String key = api.streamKey(api.userToken("a@example.com"), "One");
                assertThrows(PublishRejectedException.class, () -> registry.beginPublish("wrong", ImmediateEventExecutor.INSTANCE));
                LiveStream live = registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                live.publish(new MediaMessage(MediaKind.AUDIO, 0, Unpooled.wrappedBuffer(new byte[100])));
                String after = api.get("/metrics", TOKEN).body();
                assertEquals(1.0, sample(after, "relay_active_streams"));
                assertEquals(100.0, sample(after, "relay_bytes_in_total"));
                assertEquals(1.0, sample(after, "relay_publish_rejections_total{reason=\"unknown_key\"}"));
                assertTrue(!after.contains(key), "no key in metrics");
                registry.endPublish(live);
            });
        }
    }
}
