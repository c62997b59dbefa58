package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.internal.PlatformDependent;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a public RTMP port meets in its first hour, while a real publisher relays to a real
 * destination: garbage, half handshakes, silent sockets, a slow-loris, a 16 MB message claim,
 * and one address opening more connections than it may.
 */
class HostileClientsTest {
    private static final long HANDSHAKE_TIMEOUT_MS = 2000;

    private final ExecutorService attackers = Executors.newCachedThreadPool();
    private RelayServer relay;
    private NginxRtmp nginx;
    private HookServer hooks;

    @AfterEach
    void stop() {
        attackers.shutdownNow();
        if (relay != null) {
            relay.close();
        }
        if (nginx != null) {
            nginx.close();
        }
        if (hooks != null) {
            hooks.close();
        }
    }

    private void startRelay(StaticStreamCatalog catalog, String perAddress, String... moreSettings) throws Exception {
        List<String> env = new ArrayList<>(List.of(
                "RELAY_HANDSHAKE_TIMEOUT_MS", String.valueOf(HANDSHAKE_TIMEOUT_MS),
                "RELAY_MAX_CONNECTIONS_PER_ADDRESS", perAddress));
        env.addAll(List.of(moreSettings));
        relay = RelayServer.start(TestRelayConfig.with(env.toArray(String[]::new)), catalog);
    }

    /** Connects from the given loopback address, sends what the attack sends, returns ms until the server closed it. */
    private CompletableFuture<Long> attack(String from, Attack attack) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                socket.connect(new InetSocketAddress("127.0.0.1", relay.rtmpPort()), 2000);
                socket.setSoTimeout(200);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                attack.send(out);
                long deadline = start + TimeUnit.SECONDS.toNanos(15);
                while (System.nanoTime() < deadline) {
                    try {
                        if (in.read() == -1) {
                            break;
                        }
                    } catch (SocketTimeoutException quiet) {
                        attack.tick(out); // slow-loris keeps dribbling
                    }
                }
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            } catch (SocketException closed) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start); // reset or broken pipe: closed
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, attackers);
    }

    private interface Attack {
        void send(OutputStream out) throws IOException;

        default void tick(OutputStream out) throws IOException {
        }
    }

    private static final Attack GARBAGE = out -> {
        byte[] junk = new byte[64];
        new Random().nextBytes(junk);
        junk[0] = 0x47; // not the RTMP version
        out.write(junk);
    };
    private static final Attack HALF_HANDSHAKE = out -> {
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3;
        out.write(c0c1);
    };
    private static final Attack SILENT = out -> { };
    private static final Attack SLOW_LORIS = new Attack() {
        @Override
        public void send(OutputStream out) throws IOException {
            out.write(3);
        }

        @Override
        public void tick(OutputStream out) throws IOException {
            out.write(0); // one byte every 200 ms: the reader never goes idle
        }
    };
    /** A complete handshake, then a chunk header announcing a 16 MB message. */
    private static final Attack OVERSIZED = out -> {
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3;
        out.write(c0c1);
        out.write(new byte[1536]); // C2 (not checked)
        out.write(new byte[] {0x06, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, 9, 1, 0, 0, 0});
    };

    /**
     * A client without a key: handshake, Set Chunk Size 65536 and connect (none of which needs a
     * key), then {@code streams} chunk streams, each with a 4 MiB video message of which it sends
     * {@code chunks} chunks of 64 KiB, round by round; then an Acknowledgement (4 bytes) every 2 s
     * to keep the idle timer happy.
     */
    private static Attack keyless(int streams, int chunks, int chunkBytes) {
        return new Attack() {
            private int ticks;

            @Override
            public void send(OutputStream out) throws IOException {
                byte[] c0c1 = new byte[1537];
                c0c1[0] = 3;
                out.write(c0c1);
                out.write(new byte[1536]); // C2 (not checked)
                out.write(new byte[] {0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 1, 0, 0}); // Set Chunk Size 65536
                Map<String, Object> app = new LinkedHashMap<>();
                app.put("app", "live");
                app.put("tcUrl", "rtmp://127.0.0.1/live");
                RtmpMessage connect = Command.of("connect", 1, app).encode(ByteBufAllocator.DEFAULT, 3, 0);
                byte[] body = ByteBufUtil.getBytes(connect.content());
                connect.release();
                out.write(new byte[] {0x03, 0, 0, 0, 0, (byte) (body.length >> 8), (byte) body.length, 20, 0, 0, 0, 0});
                out.write(body);
                byte[] payload = new byte[chunkBytes];
                for (int round = 0; round < chunks; round++) {
                    for (int csid = 4; csid < 4 + streams; csid++) {
                        if (round == 0) { // type 0: 4 MiB of video on message stream 1
                            out.write(new byte[] {(byte) csid, 0, 0, 0, 0x40, 0, 0, 9, 1, 0, 0, 0});
                        } else {
                            out.write(0xC0 | csid);
                        }
                        out.write(payload);
                    }
                }
                out.flush();
            }

            @Override
            public void tick(OutputStream out) throws IOException {
                if (++ticks % 10 == 0) { // every 2 s: Acknowledgement, a 4-byte message
                    out.write(new byte[] {0x02, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0, 0, 0, 0, 0, 1});
                }
            }
        };
    }

    private static long residentKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return -1;
    }

    /**
     * Fifty clients from one address that never publish try to make the server hold memory: half
     * open 60 chunk streams with 128 KiB of a 4 MiB message each (7.5 MiB per connection, the
     * attack that took direct memory from 3 to 246 MiB), half stay just under the limits for a
     * connection without a key and keep it alive. The first are closed at once, the others at the
     * publish deadline, direct memory stays within 64 MiB of where it was, and a real publisher
     * relays its frames meanwhile.
     */
    @Test
    void fiftyKeylessClientsCannotMakeTheServerHoldTheirMessages() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        long publishDeadlineMs = 3000;
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "keyless-");
        String ingestKey = TestKeys.ingest();
        String destinationKey = TestKeys.destination();
        hooks = new HookServer();
        nginx = NginxRtmp.start(work.resolve("nginx"), NginxRtmp.options().hooks(hooks).record(true));
        startRelay(new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(new StreamGrant("s1", "S"),
                Secret.of(ingestKey), List.of(new DestinationTarget("d", "d", nginx.rtmpUrl(), Secret.of(destinationKey)))))),
                "50", "RELAY_PUBLISH_DEADLINE_MS", String.valueOf(publishDeadlineMs));
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 20);
        long clipFrames = Ffmpeg.countVideoFrames(clip);
        Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey, work.resolve("pub.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish", destinationKey));

        long baselineDirect = PlatformDependent.usedDirectMemory();
        long baselineRss = residentKiB();
        List<CompletableFuture<Long>> greedy = new ArrayList<>();
        List<CompletableFuture<Long>> careful = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            greedy.add(attack("127.0.0.5", keyless(60, 2, 64 * 1024)));
            careful.add(attack("127.0.0.5", keyless(3, 1, 16 * 1024))); // 48 KiB on 5 chunk streams
        }
        List<CompletableFuture<Long>> all = new ArrayList<>(greedy);
        all.addAll(careful);
        long maxDirect = baselineDirect;
        long maxRss = baselineRss;
        CompletableFuture<Void> attackOver = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        while (!attackOver.isDone()) {
            maxDirect = Math.max(maxDirect, PlatformDependent.usedDirectMemory());
            maxRss = Math.max(maxRss, residentKiB());
            try {
                attackOver.get(20, TimeUnit.MILLISECONDS); // samples every 20 ms until the attack is over
            } catch (TimeoutException sample) {
                // sample again
            }
        }
        System.out.printf("keyless attack: direct memory %d KiB before, %d KiB at most, %d KiB after; RSS %d KiB before,"
                + " %d KiB at most, %d KiB after%n", baselineDirect / 1024, maxDirect / 1024,
                PlatformDependent.usedDirectMemory() / 1024, baselineRss, maxRss, residentKiB());
        assertTrue(maxDirect - baselineDirect < 64L * 1024 * 1024, "direct memory within 64 MiB of its "
                + baselineDirect / 1024 + " KiB before the attack: " + maxDirect / 1024 + " KiB");
        for (CompletableFuture<Long> g : greedy) {
            assertTrue(g.get() < 2000, "a connection filling chunk streams is closed at once: " + g.get() + " ms");
        }
        for (CompletableFuture<Long> c : careful) {
            long ms = c.get();
            assertTrue(ms >= publishDeadlineMs - 200 && ms < publishDeadlineMs + 3000, "closed by the publish deadline: " + ms + " ms");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.openIngestConnections() == 1);
        // What is left is the live publisher's message in assembly, a video frame at most.
        assertTrue(relay.ingestBufferedBytes() < 1024 * 1024, "the attackers' buffers are given back: "
                + relay.ingestBufferedBytes() + " bytes still counted");

        assertTrue(publisher.waitFor(40, TimeUnit.SECONDS));
        assertEquals(0, publisher.exitValue(), Files.readString(work.resolve("pub.log")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", destinationKey));
        long frames = Ffmpeg.countVideoFrames(nginx.recording(destinationKey));
        assertTrue(frames >= Math.ceil(clipFrames * 0.95), "the destination got " + frames + " of " + clipFrames);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.openIngestConnections() == 0 && relay.ingestBufferedBytes() == 0);
    }

    @Test
    void hundredsOfBadConnectionsAreClosedWhileARealPublisherRelaysEveryFrame() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "hostile-");
        String ingestKey = TestKeys.ingest();
        String destinationKey = TestKeys.destination();
        hooks = new HookServer();
        nginx = NginxRtmp.start(work.resolve("nginx"), NginxRtmp.options().hooks(hooks).record(true));
        startRelay(new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(new StreamGrant("s1", "S"),
                Secret.of(ingestKey), List.of(new DestinationTarget("d", "d", nginx.rtmpUrl(), Secret.of(destinationKey)))))), "1000");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 20);
        long clipFrames = Ffmpeg.countVideoFrames(clip);
        Process publisher = Ffmpeg.publish(clip, "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live/" + ingestKey, work.resolve("pub.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish", destinationKey));

        List<CompletableFuture<Long>> garbage = new ArrayList<>();
        List<CompletableFuture<Long>> stalled = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            garbage.add(attack("127.0.0.2", GARBAGE));
            stalled.add(attack("127.0.0.2", HALF_HANDSHAKE));
            stalled.add(attack("127.0.0.2", SILENT));
        }
        CompletableFuture<Long> loris = attack("127.0.0.2", SLOW_LORIS);
        CompletableFuture<Long> oversized = attack("127.0.0.2", OVERSIZED);

        long maxDirect = 0;
        while (publisher.isAlive()) {
            maxDirect = Math.max(maxDirect, PlatformDependent.usedDirectMemory());
            publisher.waitFor(100, TimeUnit.MILLISECONDS);
        }
        for (CompletableFuture<Long> g : garbage) {
            assertTrue(g.get() < 1000, "garbage closed at once: " + g.get() + " ms");
        }
        for (CompletableFuture<Long> s : stalled) {
            long ms = s.get();
            assertTrue(ms >= HANDSHAKE_TIMEOUT_MS - 200 && ms < HANDSHAKE_TIMEOUT_MS + 2000, "closed by the handshake deadline: " + ms + " ms");
        }
        long lorisMs = loris.get();
        assertTrue(lorisMs < HANDSHAKE_TIMEOUT_MS + 2000, "slow-loris closed by the deadline: " + lorisMs + " ms");
        assertTrue(oversized.get() < 1000, "a 16 MB message claim is refused at once: " + oversized.get() + " ms");

        assertEquals(0, publisher.exitValue(), Files.readString(work.resolve("pub.log")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", destinationKey));
        long frames = Ffmpeg.countVideoFrames(nginx.recording(destinationKey));
        assertTrue(frames >= Math.ceil(clipFrames * 0.95), "the destination got " + frames + " of " + clipFrames);
        assertTrue(maxDirect < 64L * 1024 * 1024, "direct memory bounded: " + maxDirect / 1024 + " KiB");
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.openIngestConnections() == 0);
    }

    @Test
    void oneAddressCannotTakeMoreThanItsShare() throws Exception {
        startRelay(new StaticStreamCatalog(List.of()), "3");
        List<CompletableFuture<Long>> flood = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            flood.add(attack("127.0.0.3", SILENT));
        }
        CompletableFuture<Long> neighbour = attack("127.0.0.4", SILENT);
        List<Long> closedAfter = new ArrayList<>();
        for (CompletableFuture<Long> f : flood) {
            closedAfter.add(f.get());
        }
        closedAfter.sort(null);
        assertTrue(closedAfter.get(1) < 1000, "two of five refused at once: " + closedAfter);
        assertTrue(closedAfter.get(2) >= HANDSHAKE_TIMEOUT_MS - 200, "three admitted until their deadline: " + closedAfter);
        assertTrue(neighbour.get() >= HANDSHAKE_TIMEOUT_MS - 200, "another address is not affected: " + neighbour.get());
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.openIngestConnections() == 0);
    }
}
