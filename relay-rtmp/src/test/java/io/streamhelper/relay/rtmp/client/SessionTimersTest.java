package io.streamhelper.relay.rtmp.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publishing session's own deadlines, in virtual time, over a real loopback socket to a peer
 * that accepts the connection and then neither answers nor reads: the publish timeout fires at
 * exactly 15 s, and the goodbye to a destination that takes nothing is cut at exactly 2 s.
 */
class SessionTimersTest {
    private final EventLoopGroup group = Transport.NIO.newGroup(1, new DefaultThreadFactory("session-timers", true));
    private final VirtualTimers timers = new VirtualTimers();
    private final RtmpDestinationConnector connector =
            new RtmpDestinationConnector(group, ClientSettings.defaults(), loop -> timers.timers);

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void noAnswerToPublishWithinFifteenSecondsFailsTheLink() throws Exception {
        try (SilentPeer peer = new SilentPeer()) {
            LinkOutcome outcome = new LinkOutcome();
            PublishingSession session = (PublishingSession) connector.connect(target(peer), outcome);
            await().atMost(Duration.ofSeconds(5)).until(() -> timers.clock.pending() == 1); // connected: the deadline runs
            Channel channel = session.channel();
            assertEquals(PublishingSession.State.HANDSHAKE, session.state(), "our C0+C1 sent, nothing back");

            timers.advance(channel, ClientSettings.defaults().publishTimeout().minusMillis(1));
            assertFalse(outcome.closed.isDone(), "not before the publish timeout");
            timers.advance(channel, Duration.ofMillis(1));
            Throwable cause = outcome.closed.getNow(null);
            assertInstanceOf(TimeoutException.class, cause, "reported at once, on the deadline");
            assertEquals("no NetStream.Publish.Start within 15000 ms", cause.getMessage());
            assertEquals(PublishingSession.State.CLOSED, session.state());
            await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isOpen());
            assertEquals(0, timers.clock.pending(), "nothing left scheduled once closed");
        }
    }

    @Test
    void theGoodbyeToADestinationThatTakesNothingIsCutAfterTwoSeconds() throws Exception {
        try (SilentPeer peer = new SilentPeer()) {
            LinkOutcome outcome = new LinkOutcome();
            PublishingSession session = (PublishingSession) connector.connect(target(peer), outcome);
            await().atMost(Duration.ofSeconds(5)).until(() -> timers.clock.pending() == 1);
            Channel channel = session.channel();
            // More than the socket buffers on both sides hold, straight to the socket: the peer reads none of it.
            channel.eventLoop().submit(() -> channel.pipeline().firstContext()
                    .writeAndFlush(Unpooled.wrappedBuffer(new byte[32 * 1024 * 1024]))).syncUninterruptibly();
            await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isWritable());

            session.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == PublishingSession.State.UNPUBLISHING);
            assertEquals(2, timers.clock.pending(), "the goodbye deadline and the close watch; the publish deadline is off");
            timers.advance(channel, PublishingSession.GOODBYE_TIMEOUT.minusMillis(1));
            assertTrue(channel.isOpen(), "the goodbye may take 2 s");
            timers.advance(channel, Duration.ofMillis(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isOpen());
            assertInstanceOf(LinkOutcome.NoCause.class, outcome.closed.get(5, TimeUnit.SECONDS), "we ended it: no error");
            assertEquals(0, timers.clock.pending(), "the close watch ends with the close");
        }
    }

    private static DestinationTarget target(SilentPeer peer) {
        return new DestinationTarget("d", "test", "rtmp://127.0.0.1:" + peer.port() + "/live", Secret.of(TestKeys.destination()));
    }

    /** Accepts one connection and then does nothing with it: no answer, no read. */
    private static final class SilentPeer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private volatile Socket accepted;

        SilentPeer() throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    accepted = server.accept();
                } catch (IOException closed) {
                    // The test is over.
                }
            }, "silent-peer");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            Socket s = accepted;
            if (s != null) {
                s.close();
            }
        }
    }
}
