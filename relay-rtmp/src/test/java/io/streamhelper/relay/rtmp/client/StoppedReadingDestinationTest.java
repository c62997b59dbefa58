package io.streamhelper.relay.rtmp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A destination that stops reading while the connection stays open and our bytes keep leaving:
 * nothing backs up on our side, so only its missing acknowledgements can tell. A real nginx-rtmp
 * acknowledges our window; a proxy in front of it then swallows everything in both directions,
 * the way a lost socket or a middlebox black hole would.
 */
class StoppedReadingDestinationTest {

    @Test
    void aDestinationThatStopsAcknowledgingIsDroppedWithTheReason() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "black-hole-");
        EventLoopGroup group = Transport.NIO.newGroup(1, new DefaultThreadFactory("black-hole", true));
        try (NginxRtmp nginx = NginxRtmp.start(work, NginxRtmp.options());
                SwallowingProxy proxy = new SwallowingProxy(nginx.rtmpPort())) {
            VirtualTimers timers = new VirtualTimers();
            RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults(), loop -> timers.timers);
            LinkOutcome outcome = new LinkOutcome();
            connector.connect(new DestinationTarget("d", "test", "rtmp://127.0.0.1:" + proxy.port() + "/live",
                    Secret.of(TestKeys.destination())), outcome);
            DestinationLink link = outcome.live.get(10, TimeUnit.SECONDS);
            PublishingSession session = (PublishingSession) link;
            // About 1 MB/s of video, so nginx acknowledges our 1 MB window about once a second.
            long[] timestamp = {0};
            ScheduledFuture<?> publisher = group.scheduleAtFixedRate(() -> {
                link.send(frame(timestamp[0]));
                timestamp[0] += 40;
            }, 0, 40, TimeUnit.MILLISECONDS);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> session.acknowledgements() >= 3);
                // The acknowledgement checks run in virtual time: ten of them find it reading in rhythm.
                timers.advance(session.channel(), Duration.ofSeconds(10));
                assertFalse(outcome.closed.isDone(), "a destination that acknowledges stays connected");
                long beforeSwallowing = session.acknowledgements();
                await().atMost(Duration.ofSeconds(10)).until(() -> session.acknowledgements() > beforeSwallowing); // at 10 s

                proxy.swallow();
                long acknowledged = session.acknowledgements();
                // Real bytes keep leaving into the black hole until they are three rhythms past its last acknowledgement.
                await().atMost(Duration.ofSeconds(20)).until(() -> onLoop(session, session::sentBeyondRhythm));
                // Its last acknowledgement came at virtual time 10 s: silent for 5 s is still allowed ...
                timers.advance(session.channel(), AcknowledgementWatchdog.SILENCE);
                assertFalse(outcome.closed.isDone(), "silent for exactly 5 s is not yet stopped");
                // ... the next check, a second later, is not.
                timers.advance(session.channel(), PublishingSession.ACKNOWLEDGEMENT_CHECK);
                Throwable cause = outcome.closed.getNow(null);
                assertInstanceOf(TimeoutException.class, cause);
                assertTrue(cause.getMessage().startsWith("destination stopped acknowledging"), cause.getMessage());
                assertEquals(acknowledged, session.acknowledgements(), "nothing reached us through the black hole");
                assertTrue(proxy.swallowed() > 3_000_000, "our bytes kept leaving: " + proxy.swallowed());
            } finally {
                publisher.cancel(false);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static boolean onLoop(PublishingSession session, java.util.concurrent.Callable<Boolean> question) throws Exception {
        return session.channel().eventLoop().submit(question).get();
    }

    private static MediaMessage frame(long timestamp) {
        byte[] body = new byte[40_000];
        ThreadLocalRandom.current().nextBytes(body);
        body[0] = (byte) (timestamp % 2000 == 0 ? 0x17 : 0x27); // AVC, keyframe every 2 s, else inter frame
        body[1] = 1; // NAL units, never a sequence header nginx would parse
        ByteBuf payload = Unpooled.wrappedBuffer(body);
        return new MediaMessage(MediaKind.VIDEO, timestamp, payload);
    }

    /** Forwards one connection to nginx until told to swallow: then reads both ways and forwards nothing. */
    private static final class SwallowingProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final int target;
        private volatile boolean swallowing;
        private volatile long swallowed;
        private volatile Socket client;
        private volatile Socket upstream;

        SwallowingProxy(int target) throws IOException {
            this.target = target;
            Thread acceptor = new Thread(this::accept, "swallowing-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void swallow() {
            swallowing = true;
        }

        long swallowed() {
            return swallowed;
        }

        private void accept() {
            try {
                client = server.accept();
                upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
                Thread back = new Thread(() -> pump(upstream, client, false), "swallowing-proxy-back");
                back.setDaemon(true);
                back.start();
                pump(client, upstream, true);
            } catch (IOException closed) {
                // The test is over.
            }
        }

        private void pump(Socket from, Socket to, boolean countSwallowed) {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (!swallowing) {
                        out.write(buffer, 0, n);
                    } else if (countSwallowed) {
                        swallowed += n;
                    }
                }
            } catch (IOException closed) {
                // Either end went away.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : new Socket[] {client, upstream}) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
