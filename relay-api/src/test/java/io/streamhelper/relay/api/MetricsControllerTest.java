package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The value of one series, e.g. {@code relay_streams{state="live"}}, in any label order; every
     * series also carries this node's label, so each lookup checks that too. Fails when absent.
     */
    private static double sample(String text, String series) {
        int brace = series.indexOf('{');
        String name = brace < 0 ? series : series.substring(0, brace);
        Map<String, String> wanted = new HashMap<>();
        if (brace >= 0) {
            Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"").matcher(series.substring(brace));
            while (label.find()) {
                wanted.put(label.group(1), label.group(2));
            }
        }
        wanted.put("node", ApiFixture.NODE);
        return PrometheusText.parse(text).stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(wanted))
                .mapToDouble(PrometheusText.Sample::value)
                .findFirst()
                .orElseThrow(() -> new AssertionError(series + " (with node=\"" + ApiFixture.NODE + "\") in:\n" + text));
    }

    /** The strict reader takes it, there are many samples, and every one is labelled with this node. */
    private static void assertPrometheusText(String text) {
        List<PrometheusText.Sample> samples = PrometheusText.parse(text);
        assertTrue(samples.size() > 50, "a real scrape has many samples: " + samples.size());
        for (PrometheusText.Sample s : samples) {
            assertEquals(ApiFixture.NODE, s.labels().get("node"), "every sample names its node: " + s);
        }
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

    /** In a cluster: whether this node is fenced, and the bus's counters, read at each scrape; none on a single node. */
    @Test
    void aNodeOfAClusterSaysWhetherItIsFencedAndCountsItsNotices() throws Exception {
        try (ApiFixture api = api(Optional.of(Secret.of(TOKEN)))) {
            api.test(() -> assertTrue(!api.get("/metrics", TOKEN).body().contains("relay_cluster_"), "a single node: no cluster series"));
        }
        java.util.concurrent.atomic.AtomicBoolean fenced = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<ApiServer.NoticeCounts> counts =
                new java.util.concurrent.atomic.AtomicReference<>(new ApiServer.NoticeCounts(5, 1, 7, 2, 3));
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.metricsToken = Optional.of(Secret.of(TOKEN));
        settings.cluster = Optional.of(new ApiServer.Cluster(fenced::get, counts::get));
        try (ApiFixture api = new ApiFixture(dir.resolve("cluster"), settings)) {
            api.test(() -> {
                String text = api.get("/metrics", TOKEN).body();
                assertEquals(0.0, sample(text, "relay_cluster_fenced"), text);
                assertEquals(5.0, sample(text, "relay_cluster_notices_sent_total"));
                assertEquals(1.0, sample(text, "relay_cluster_notices_send_failures_total"));
                assertEquals(7.0, sample(text, "relay_cluster_notices_received_total"));
                assertEquals(2.0, sample(text, "relay_cluster_notices_malformed_total"));
                assertEquals(3.0, sample(text, "relay_cluster_notices_reconnects_total"));
                assertPrometheusText(text);
                fenced.set(true);
                counts.set(new ApiServer.NoticeCounts(6, 1, 9, 2, 4));
                String later = api.get("/metrics", TOKEN).body();
                assertEquals(1.0, sample(later, "relay_cluster_fenced"));
                assertEquals(9.0, sample(later, "relay_cluster_notices_received_total"));
                assertEquals(4.0, sample(later, "relay_cluster_notices_reconnects_total"));
            });
        }
    }

    /** The certificate's notAfter as read at each scrape (a renewal moves it), and no series at all without RTMPS. */
    @Test
    void theRtmpsCertificatesExpiryIsAGaugeOnlyWhenRtmpsIsOn() throws Exception {
        try (ApiFixture api = api(Optional.of(Secret.of(TOKEN)))) {
            api.test(() -> assertTrue(!api.get("/metrics", TOKEN).body().contains("relay_tls_certificate"),
                    "no RTMPS, no certificate series"));
        }
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> notAfter =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2027-03-01T12:00:00Z"));
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.metricsToken = Optional.of(Secret.of(TOKEN));
        settings.rtmpsCertificate = Optional.of(new ApiServer.RtmpsCertificate(notAfter::get, Duration.ofDays(14)));
        try (ApiFixture api = new ApiFixture(dir.resolve("rtmps"), settings)) {
            api.test(() -> {
                String text = api.get("/metrics", TOKEN).body();
                assertEquals(notAfter.get().getEpochSecond(), (long) sample(text, "relay_tls_certificate_expiry_timestamp_seconds"), text);
                assertTrue(text.contains("# TYPE relay_tls_certificate_expiry_timestamp_seconds gauge"), text);
                notAfter.set(java.time.Instant.parse("2027-06-01T12:00:00Z"));
                assertEquals(notAfter.get().getEpochSecond(),
                        (long) sample(api.get("/metrics", TOKEN).body(), "relay_tls_certificate_expiry_timestamp_seconds"));
                assertPrometheusText(text);
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
                assertThrows(PublishRejectedException.class, () -> registry.beginPublish("wrong", ImmediateEventExecutor.INSTANCE).stream());
                LiveStream live = registry.beginPublish(key, ImmediateEventExecutor.INSTANCE).stream();
                live.publish(new MediaMessage(MediaKind.AUDIO, 0, Unpooled.wrappedBuffer(new byte[100])));
                String after = api.get("/metrics", TOKEN).body();
                assertEquals(1.0, sample(after, "relay_active_streams"));
                assertEquals(100.0, sample(after, "relay_bytes_in_total"));
                assertEquals(1.0, sample(after, "relay_publish_rejections_total{reason=\"unknown_key\"}"));
                assertTrue(!after.contains(key), "no key in metrics");
                assertEquals(0.0, sample(after, "relay_destinations{platform=\"youtube\",state=\"live\"}"),
                        "destinations are counted by platform and state");
                assertEquals(0.0, sample(after, "relay_reconnects_total{platform=\"twitch\"}"));
                assertPrometheusText(after);
                registry.endPublish(live);
            });
        }
    }

    /**
     * Streams by state, and every gap a stream waited for its encoder: counted by outcome and
     * measured into buckets an operator can read (how many encoders came back within 5 s?).
     * Gaps are timed on the streams' clock, virtual here, so their lengths are exact.
     */
    @Test
    void publisherGapsAreCountedAndMeasured() throws Exception {
        try (ApiFixture api = api(Optional.of(Secret.of(TOKEN)))) {
            api.test(() -> {
                String before = api.get("/metrics", TOKEN).body();
                assertEquals(0.0, sample(before, "relay_streams{state=\"live\"}"));
                assertEquals(0.0, sample(before, "relay_streams{state=\"reconnecting\"}"));
                assertEquals(0.0, sample(before, "relay_publisher_gaps_total{outcome=\"bridged\"}"));
                assertEquals(0.0, sample(before, "relay_publisher_gaps_total{outcome=\"expired\"}"));
                assertEquals(0.0, sample(before, "relay_publisher_gap_seconds_count{outcome=\"bridged\"}"));

                String key = api.streamKey(api.userToken("a@example.com"), "One");
                Publication first = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE);
                first.publish(audioTag()); // a gap is timed from the publisher's last tag
                assertEquals(1.0, sample(api.get("/metrics", TOKEN).body(), "relay_streams{state=\"live\"}"));

                first.lost();
                String waiting = api.get("/metrics", TOKEN).body();
                assertEquals(0.0, sample(waiting, "relay_streams{state=\"live\"}"));
                assertEquals(1.0, sample(waiting, "relay_streams{state=\"reconnecting\"}"));
                assertEquals(1.0, sample(waiting, "relay_active_streams"), "still on air");

                api.streamTime.advance(Duration.ofSeconds(7));
                Publication second = api.registry.beginPublish(key, ImmediateEventExecutor.INSTANCE); // back after 7 s
                second.publish(audioTag());
                String bridged = api.get("/metrics", TOKEN).body();
                assertEquals(1.0, sample(bridged, "relay_streams{state=\"live\"}"));
                assertEquals(1.0, sample(bridged, "relay_publisher_gaps_total{outcome=\"bridged\"}"));
                assertEquals(0.0, bucket(bridged, "bridged", "5.0"), "a 7 s gap is not within 5 s");
                assertEquals(1.0, bucket(bridged, "bridged", "10.0"), "but within 10 s");
                assertEquals(1.0, bucket(bridged, "bridged", "+Inf"));
                assertEquals(7.0, sample(bridged, "relay_publisher_gap_seconds_sum{outcome=\"bridged\"}"), 0.001);

                second.lost();
                api.streamTime.advance(Duration.ofSeconds(31)); // the 30 s grace runs out
                String expired = api.get("/metrics", TOKEN).body();
                assertEquals(0.0, sample(expired, "relay_streams{state=\"reconnecting\"}"));
                assertEquals(0.0, sample(expired, "relay_active_streams"));
                assertEquals(1.0, sample(expired, "relay_publisher_gaps_total{outcome=\"expired\"}"));
                assertEquals(0.0, bucket(expired, "expired", "20.0"));
                assertEquals(1.0, bucket(expired, "expired", "30.0"), "an expired gap lasts the grace");
                assertEquals(1.0, sample(expired, "relay_publisher_gaps_total{outcome=\"bridged\"}"), "unchanged");
                for (String le : List.of("1.0", "2.0", "5.0", "10.0", "20.0", "30.0", "60.0", "120.0", "300.0", "+Inf")) {
                    bucket(expired, "bridged", le); // every bucket of the encoder-reconnect scale is there
                }
                assertPrometheusText(expired);
                assertTrue(!expired.contains(key), "no key in metrics");
            });
        }
    }

    private static MediaMessage audioTag() {
        return new MediaMessage(MediaKind.AUDIO, 0, Unpooled.wrappedBuffer(new byte[100]));
    }

    /** One bucket of the gap histogram: gaps of this outcome that lasted at most {@code le} seconds. */
    private static double bucket(String text, String outcome, String le) {
        return sample(text, "relay_publisher_gap_seconds_bucket{outcome=\"" + outcome + "\",le=\"" + le + "\"}");
    }
}
