import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.MediaSink;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.StreamSnapshot;
import io.streamhelper.relay.rtmp.amf.Amf0EcmaArray;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.client.ClientSettings;
import io.streamhelper.relay.rtmp.client.RtmpDestinationConnector;
import io.streamhelper.relay.rtmp.ingest.ConnectionLimits;
import io.streamhelper.relay.rtmp.ingest.IngestServer;
import io.streamhelper.relay.rtmp.ingest.IngestSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures what a relay adds in time: it publishes a synthetic 6 Mbit/s 30 fps stream with AAC-sized
 * audio frames at 48 kHz (each tag carries its sequence number) to the relay under test, receives
 * what the relay pushes to N destinations on its own RTMP sink, and reports, per received frame,
 * the time from send to arrival (video p50, p99, max; audio p50, p99) and the time from publish to
 * every destination receiving video.
 * Publisher and sink are the same for every relay measured, so only the relay differs.
 *
 * usage: java -cp relay-app/target/streamhelper-relay.jar bench/LatencyProbe.java INGEST_URL KEY SINK_PORT N SECONDS
 * The relay must push to rtmp://127.0.0.1:SINK_PORT/live/d1 .. dN.
 */
public class LatencyProbe {
    static final int FPS = 30;
    static final int FRAME_BYTES = 6_000_000 / 8 / FPS;
    /** AAC: 1024 samples a frame at 48 kHz, about 430 bytes at 160 kbit/s. */
    static final long AUDIO_FRAME_MICROS = 1_000_000L * 1024 / 48_000;
    static final int AUDIO_FRAME_BYTES = 430;
    static final int WARM_UP_QUIET_ROUNDS = 3;
    static final int WARM_UP_MAX_ROUNDS = 20;
    static final long WARM_UP_QUIET_JIT_MS = 20;
    static final int WARM_UP_FRAMES = 30;

    public static void main(String[] args) throws Exception {
        String ingestUrl = args[0];
        String key = args[1];
        int sinkPort = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);

        NioEventLoopGroup group = new NioEventLoopGroup(2);
        List<StaticStreamCatalog.Entry> entries = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            entries.add(new StaticStreamCatalog.Entry(new StreamGrant("d" + i, "d" + i), Secret.of("d" + i), List.of()));
        }
        StaticStreamCatalog catalog = new StaticStreamCatalog(entries);
        StreamRegistry sinkRegistry = new StreamRegistry(catalog, catalog, (t, l) -> {
            throw new IllegalStateException("the sink relays nothing");
        }, StreamRegistry.Settings.defaults());
        // Every destination connects from 127.0.0.1: lift the per-address limit meant for strangers.
        IngestServer sink = new IngestServer(new IngestSettings("127.0.0.1", sinkPort, "live", Duration.ofSeconds(30),
                ChunkLimits.DEFAULT, new ConnectionLimits(Duration.ofSeconds(5), 10_000, 10_000)), sinkRegistry, group, group).start();

        // The sink stands in for platforms' servers, which are warm and on other machines: run its
        // ingest code (and the publisher's) hot before measuring, so that the figures are the relay's.
        warmUp(group, sinkPort, n, sinkRegistry);

        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
        Map<Long, Long> audioSentAt = new ConcurrentHashMap<>();
        List<Long> audioLatenciesMicros = Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> firstVideoAt = new ConcurrentHashMap<>();
        Set<LiveStream> watched = ConcurrentHashMap.newKeySet();
        long[] liveAt = {0};
        long warmupEndsSeq = 2L * FPS;

        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        timer.scheduleAtFixedRate(() -> {
            for (LiveStream stream : sinkRegistry.liveStreams()) {
                if (watched.add(stream)) {
                    String id = stream.id();
                    stream.attach(new MediaSink() {
                        @Override
                        public void join(StreamSnapshot snapshot) {
                            snapshot.close();
                        }

                        @Override
                        public void deliver(MediaMessage m) {
                            long now = System.nanoTime();
                            try {
                                ByteBuf p = m.content();
                                if (m.kind() == MediaKind.VIDEO && p.readableBytes() >= 13 && p.getByte(p.readerIndex() + 1) == 1) {
                                    long seq = p.getLong(p.readerIndex() + 5);
                                    firstVideoAt.putIfAbsent(id, now);
                                    Long sent = sentAt.get(seq);
                                    if (sent != null && seq >= warmupEndsSeq) {
                                        latenciesMicros.add((now - sent) / 1000);
                                    }
                                } else if (m.kind() == MediaKind.AUDIO && p.readableBytes() >= 10 && p.getByte(p.readerIndex() + 1) == 1) {
                                    long seq = p.getLong(p.readerIndex() + 2);
                                    Long sent = audioSentAt.get(seq);
                                    if (sent != null && seq >= 2L * 1_000_000 / AUDIO_FRAME_MICROS) {
                                        audioLatenciesMicros.add((now - sent) / 1000);
                                    }
                                }
                            } finally {
                                m.release();
                            }
                        }
                    });
                }
            }
        }, 0, 5, TimeUnit.MILLISECONDS);

        RtmpDestinationConnector publisherClient = new RtmpDestinationConnector(group, ClientSettings.defaults());
        CompletableFuture<DestinationLink> live = new CompletableFuture<>();
        publisherClient.connect(new DestinationTarget("publisher", "publisher", ingestUrl, Secret.of(key)), new DestinationLink.Listener() {
            @Override
            public void onLive(DestinationLink link) {
                liveAt[0] = System.nanoTime();
                live.complete(link);
            }

            @Override
            public void onClosed(DestinationLink link, Throwable cause) {
                live.completeExceptionally(cause == null ? new IllegalStateException("closed") : cause);
            }
        });
        DestinationLink publisher = live.get(15, TimeUnit.SECONDS);
        long start = System.nanoTime();
        publisher.send(new MediaMessage(MediaKind.METADATA, 0, metadata()));
        publisher.send(new MediaMessage(MediaKind.VIDEO, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f})));
        publisher.send(new MediaMessage(MediaKind.AUDIO, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 0, 0x11, (byte) 0x90})));
        long[] seq = {0};
        var sending = timer.scheduleAtFixedRate(() -> {
            long s = seq[0]++;
            ByteBuf frame = Unpooled.buffer(FRAME_BYTES);
            frame.writeByte(s % 60 == 0 ? 0x17 : 0x27).writeByte(1).writeMedium(0).writeLong(s);
            frame.writeZero(FRAME_BYTES - frame.writerIndex());
            long ts = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            sentAt.put(s, System.nanoTime());
            publisher.send(new MediaMessage(MediaKind.VIDEO, ts, frame));
        }, 0, 1_000_000 / FPS, TimeUnit.MICROSECONDS);

        long[] audioSeq = {0};
        var sendingAudio = timer.scheduleAtFixedRate(() -> {
            long s = audioSeq[0]++;
            ByteBuf frame = Unpooled.buffer(AUDIO_FRAME_BYTES);
            frame.writeByte(0xAF).writeByte(1).writeLong(s);
            frame.writeZero(AUDIO_FRAME_BYTES - frame.writerIndex());
            long ts = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            audioSentAt.put(s, System.nanoTime());
            publisher.send(new MediaMessage(MediaKind.AUDIO, ts, frame));
        }, 0, AUDIO_FRAME_MICROS, TimeUnit.MICROSECONDS);

        Thread.sleep(seconds * 1000L);
        sending.cancel(false);
        sendingAudio.cancel(false);
        Thread.sleep(500);
        publisher.close();

        List<Long> sorted;
        synchronized (latenciesMicros) {
            sorted = new ArrayList<>(latenciesMicros);
        }
        Collections.sort(sorted);
        List<Long> audioSorted;
        synchronized (audioLatenciesMicros) {
            audioSorted = new ArrayList<>(audioLatenciesMicros);
        }
        Collections.sort(audioSorted);
        long allLiveMs = firstVideoAt.size() < n ? -1
                : TimeUnit.NANOSECONDS.toMillis(Collections.max(firstVideoAt.values()) - liveAt[0]);
        System.out.printf("received=%d/%d frames=%d latency_p50_ms=%.2f latency_p99_ms=%.2f latency_max_ms=%.2f"
                + " audio_frames=%d audio_p50_ms=%.2f audio_p99_ms=%.2f publish_to_all_live_ms=%d%n",
                firstVideoAt.size(), n, sorted.size(), pct(sorted, 50), pct(sorted, 99),
                sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1) / 1000.0,
                audioSorted.size(), pct(audioSorted, 50), pct(audioSorted, 99), allLiveMs);
        timer.shutdownNow();
        sink.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        System.exit(0);
    }

    /**
     * Publishes straight to the sink from N connections, round after round, each sending metadata,
     * sequence headers and a second of frames, until a round leaves the JIT (almost) nothing new to
     * compile; returns once the sink has no stream left.
     */
    static void warmUp(NioEventLoopGroup group, int sinkPort, int n, StreamRegistry sinkRegistry) throws Exception {
        RtmpDestinationConnector client = new RtmpDestinationConnector(group, ClientSettings.defaults());
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long compiledBefore = -1;
        int quietRounds = 0;
        for (int round = 0; round < WARM_UP_MAX_ROUNDS && quietRounds < WARM_UP_QUIET_ROUNDS; round++) {
            // A compilation counts when it ends, so one quiet round may be a long C2 compile in progress.
            long compiled = jit.getTotalCompilationTime();
            quietRounds = compiled - compiledBefore < WARM_UP_QUIET_JIT_MS ? quietRounds + 1 : 0;
            compiledBefore = compiled;
            List<CompletableFuture<DestinationLink>> links = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                CompletableFuture<DestinationLink> live = new CompletableFuture<>();
                client.connect(new DestinationTarget("warm" + i, "warm" + i, "rtmp://127.0.0.1:" + sinkPort + "/live",
                        Secret.of("d" + i)), new DestinationLink.Listener() {
                    @Override
                    public void onLive(DestinationLink link) {
                        live.complete(link);
                    }

                    @Override
                    public void onClosed(DestinationLink link, Throwable cause) {
                        live.completeExceptionally(cause == null ? new IllegalStateException("closed") : cause);
                    }
                });
                links.add(live);
            }
            for (CompletableFuture<DestinationLink> live : links) {
                DestinationLink link = live.get(30, TimeUnit.SECONDS);
                link.send(new MediaMessage(MediaKind.METADATA, 0, metadata()));
                link.send(new MediaMessage(MediaKind.VIDEO, 0, Unpooled.wrappedBuffer(new byte[] {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f})));
                for (int f = 0; f < WARM_UP_FRAMES; f++) {
                    link.send(new MediaMessage(MediaKind.VIDEO, f * 1000L / FPS, frame(f % 60 == 0 ? 0x17 : 0x27, FRAME_BYTES)));
                    link.send(new MediaMessage(MediaKind.AUDIO, f * 1000L / FPS, frame(0xAF, AUDIO_FRAME_BYTES)));
                }
            }
            for (CompletableFuture<DestinationLink> live : links) {
                live.get().close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!sinkRegistry.liveStreams().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    /** A media tag of the given size whose sequence number (-1) no measurement counts. */
    static ByteBuf frame(int firstByte, int size) {
        ByteBuf frame = Unpooled.buffer(size);
        frame.writeByte(firstByte).writeByte(1).writeMedium(0).writeLong(-1);
        return frame.writeZero(size - frame.writerIndex());
    }

    static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1000.0;
    }

    static ByteBuf metadata() {
        Amf0EcmaArray md = new Amf0EcmaArray();
        md.put("width", 1280.0);
        md.put("height", 720.0);
        md.put("framerate", (double) FPS);
        md.put("videocodecid", 7.0);
        ByteBuf b = Unpooled.buffer();
        Amf0Writer.writeAll(b, "onMetaData", md);
        return b;
    }
}
