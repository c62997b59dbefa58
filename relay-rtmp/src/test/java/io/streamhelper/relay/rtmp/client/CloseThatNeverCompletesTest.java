package io.streamhelper.relay.rtmp.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A live connection to a real nginx-rtmp fails (here: the read error a killed peer causes) and its
 * close then never completes, as on io_uring when the kernel never completes an operation the
 * close waits for. The destination must be reported lost at once, so that it reconnects, instead
 * of staying "live" until a close that never comes; and the close that never completes, which
 * keeps a socket and its buffer, must be logged for the operator.
 */
class CloseThatNeverCompletesTest {

    @Test
    void aFailedConnectionIsReportedLostWithoutWaitingForItsClose() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "stuck-close-");
        EventLoopGroup group = Transport.NIO.newGroup(1, new DefaultThreadFactory("stuck-close", true));
        HeldClose held = new HeldClose();
        Logger sessionLog = (Logger) LoggerFactory.getLogger(PublishingSession.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        sessionLog.addAppender(logged);
        try (NginxRtmp nginx = NginxRtmp.start(work, NginxRtmp.options())) {
            VirtualTimers timers = new VirtualTimers();
            RtmpDestinationConnector connector = new RtmpDestinationConnector(group, ClientSettings.defaults(), loop -> timers.timers);
            LinkOutcome outcome = new LinkOutcome();
            String key = TestKeys.destination();
            connector.connect(new DestinationTarget("d", "test", nginx.rtmpUrl(), Secret.of(key)), outcome);
            PublishingSession session = (PublishingSession) outcome.live.get(10, TimeUnit.SECONDS);
            Channel channel = session.channel();

            IOException reset = new IOException("Connection reset by peer");
            channel.eventLoop().submit(() -> {
                channel.pipeline().addFirst("held-close", held);
                channel.pipeline().fireExceptionCaught(reset);
            }).syncUninterruptibly();

            assertSame(reset, outcome.closed.get(2, TimeUnit.SECONDS), "reported lost, with the error that lost it");
            assertTrue(held.asked, "the session did ask for the close");
            assertTrue(channel.isOpen(), "the close is still pending: the report did not wait for it");
            assertFalse(pendingCloseLogged(logged), "not logged as pending before its time");

            // The close watch, in virtual time: logged exactly when its patience runs out.
            timers.advance(channel, PublishingSession.CLOSE_PENDING_WARNING.minusMillis(1));
            assertFalse(pendingCloseLogged(logged), "not logged as pending before its time");
            timers.advance(channel, Duration.ofMillis(1));
            assertTrue(pendingCloseLogged(logged), "logged as pending after 5 s");
            String line = pendingCloseLine(logged);
            assertTrue(line.contains("destination=d "), line);
            assertFalse(line.contains(key), "the key stays out of the log");
        } finally {
            sessionLog.detachAppender(logged);
            held.release();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static boolean pendingCloseLogged(ListAppender<ILoggingEvent> logged) {
        return pendingCloseLine(logged) != null;
    }

    private static String pendingCloseLine(ListAppender<ILoggingEvent> logged) {
        synchronized (logged) { // the appender adds under its own lock, from the event loop
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("event=destination_close_pending")).findFirst().orElse(null);
        }
    }

    /** Keeps a close from reaching the transport until released, like a close waiting on the kernel. */
    private static final class HeldClose extends ChannelOutboundHandlerAdapter {
        private volatile boolean asked;
        private volatile ChannelHandlerContext ctx;
        private volatile ChannelPromise promise;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            asked = true;
            this.ctx = ctx;
            this.promise = promise;
        }

        void release() {
            ChannelHandlerContext c = ctx;
            if (c != null) {
                c.executor().submit(() -> c.close(promise)).syncUninterruptibly();
            }
        }
    }
}
