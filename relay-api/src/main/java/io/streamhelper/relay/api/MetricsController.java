package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.internal.PlatformDependent;
import io.streamhelper.relay.catalog.service.Platform;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.RelayCounters;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * GET /metrics in the Prometheus text format, for a scraper holding the metrics token
 * ({@code Authorization: Bearer <RELAY_METRICS_TOKEN>}). Without a configured token the endpoint
 * is off. Values are read from the relay when scraped; nothing here touches the media path.
 */
final class MetricsController {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Optional<Secret> token;

    MetricsController(StreamRegistry streams, Optional<Secret> token, Optional<ApiServer.RtmpsCertificate> rtmps) {
        this(streams, token, rtmps, "local");
    }

    /** @param nodeId labels every sample {@code node="<id>"}: a scraper of several nodes sums or tells them apart */
    MetricsController(StreamRegistry streams, Optional<Secret> token, Optional<ApiServer.RtmpsCertificate> rtmps, String nodeId) {
        this(streams, token, rtmps, nodeId, Optional.empty());
    }

    MetricsController(StreamRegistry streams, Optional<Secret> token, Optional<ApiServer.RtmpsCertificate> rtmps, String nodeId,
            Optional<ApiServer.Cluster> cluster) {
        this.token = token;
        // Before any meter: common tags apply to the meters registered after them.
        registry.config().commonTags("node", nodeId);
        // Only with RTMPS on: a series that is absent cannot fire an expiry alert for a relay without TLS.
        rtmps.ifPresent(c -> Gauge.builder("relay_tls_certificate_expiry_timestamp_seconds", c,
                        cert -> cert.notAfter().get().getEpochSecond())
                .description("notAfter of the certificate the RTMPS ingest offers now, in seconds since the epoch")
                .register(registry));
        // Only in a cluster: a single node on SQLite has no heartbeat to lose and no bus.
        cluster.ifPresent(this::registerCluster);
        RelayCounters counters = streams.counters();
        Gauge.builder("relay_active_streams", streams, s -> s.liveStreams().size())
                .description("streams on air: live, or reconnecting with their destinations still published").register(registry);
        PublisherGapMetrics.register(registry, streams);
        // Platforms are a fixed set, so every (platform, state) series exists from the start and a
        // dashboard never sees a series appear out of nowhere.
        for (Platform platform : Platform.values()) {
            String name = platform.wireName();
            for (DestinationState state : DestinationState.values()) {
                Gauge.builder("relay_destinations", streams, s -> s.liveStreams().stream()
                                .flatMap(live -> s.relays(live).stream())
                                .filter(r -> r.state() == state && r.target().platform().equals(name)).count())
                        .tag("platform", name)
                        .tag("state", state.wireName())
                        .description("destinations of live streams, by platform and state").register(registry);
            }
            RelayCounters.Platform p = counters.platform(name);
            FunctionCounter.builder("relay_bytes_out", p, RelayCounters.Platform::bytesOut).tag("platform", name)
                    .description("media bytes sent to destinations").register(registry);
            FunctionCounter.builder("relay_frames_dropped", p, RelayCounters.Platform::framesDropped).tag("platform", name)
                    .description("video frames dropped for slow or stalled destinations").register(registry);
            FunctionCounter.builder("relay_reconnects", p, RelayCounters.Platform::reconnects).tag("platform", name)
                    .description("destination reconnect attempts").register(registry);
            FunctionCounter.builder("relay_destination_failures", p, RelayCounters.Platform::failures).tag("platform", name)
                    .description("destination connections lost (network, stall)").register(registry);
            FunctionCounter.builder("relay_destination_rejections", p, RelayCounters.Platform::rejections).tag("platform", name)
                    .description("destinations that refused us").register(registry);
        }
        FunctionCounter.builder("relay_bytes_in", counters, RelayCounters::bytesIn)
                .description("media bytes received from publishers").register(registry);
        for (PublishRejectedException.Reason reason : PublishRejectedException.Reason.values()) {
            FunctionCounter.builder("relay_publish_rejections", counters, c -> c.publishRejections(reason))
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("publish requests refused").register(registry);
        }
        Gauge.builder("relay_netty_direct_memory_bytes", PlatformDependent::usedDirectMemory)
                .description("direct memory in use by Netty").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
    }

    private void registerCluster(ApiServer.Cluster cluster) {
        Gauge.builder("relay_cluster_fenced", cluster, c -> c.fenced().getAsBoolean() ? 1 : 0)
                .description("1 while this node is fenced from the cluster (heartbeat lost): it relays nothing, refuses publishers")
                .register(registry);
        noticeCounter(cluster, "sent", ApiServer.NoticeCounts::sent, "cluster notices sent");
        noticeCounter(cluster, "send_failures", ApiServer.NoticeCounts::sendFailures, "cluster notices that could not be sent");
        noticeCounter(cluster, "received", ApiServer.NoticeCounts::received, "cluster notices received from other nodes");
        noticeCounter(cluster, "malformed", ApiServer.NoticeCounts::malformed, "cluster notices received that were not understood");
        noticeCounter(cluster, "reconnects", ApiServer.NoticeCounts::reconnects, "reconnects of the bus's listening connection");
    }

    private void noticeCounter(ApiServer.Cluster cluster, String name, java.util.function.ToLongFunction<ApiServer.NoticeCounts> value,
            String description) {
        FunctionCounter.builder("relay_cluster_notices_" + name, cluster, c -> value.applyAsLong(c.notices().get()))
                .description(description).register(registry);
    }

    void get(Context ctx) {
        if (token.isEmpty()) {
            ctx.status(404).json(Map.of("error", "metrics are disabled: set RELAY_METRICS_TOKEN"));
            return;
        }
        if (!token.get().matches(ApiServer.bearerToken(ctx))) {
            ctx.status(401).json(Map.of("error", "a valid metrics token is required"));
            return;
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }
}
