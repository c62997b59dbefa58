package io.streamhelper.relay.rtmp.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void nioIsAlwaysThereAndAutoTakesIoUringOnlyWhereItWorks() {
        assertEquals(Transport.NIO, Transport.select("nio"));
        assertEquals(IoUring.isAvailable() ? Transport.IO_URING : Transport.NIO, Transport.select("auto"));
        assertThrows(IllegalArgumentException.class, () -> Transport.select("epoll"));
    }

    @Test
    void ioUringAskedForIsGivenOrRefusedWithTheReason() {
        if (IoUring.isAvailable()) {
            assertEquals(Transport.IO_URING, Transport.select("io_uring"));
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Transport.select("io_uring"));
            assertTrue(e.getMessage().contains("not available here"), e.getMessage());
        }
    }

    @Test
    void channelsFollowTheTransportOfTheLoopTheyAreRegisteredOn() {
        for (Transport transport : Transport.available()) {
            EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("transport-test"));
            try {
                assertEquals(transport, Transport.of(group));
                assertTrue(transport.canRegisterOn(group.next()), transport + " loop takes its own channels");
                Transport other = transport == Transport.NIO ? Transport.IO_URING : Transport.NIO;
                assertFalse(other.canRegisterOn(group.next()), other + " channels stay off a " + transport + " loop");
                assertFalse(transport.canRegisterOn(ImmediateEventExecutor.INSTANCE), "not an event loop");
                assertEquals(transport == Transport.NIO ? NioSocketChannel.class : IoUringSocketChannel.class, transport.socketChannel());
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    /**
     * A peer that accepts the connection and never reads, as a stalled destination does: once the
     * socket buffers are full a write stays in the kernel. Closing the channel must still close it
     * at once, and its event loop must still stop; io_uring on its own waits for that write forever.
     */
    @Test
    void aChannelWhosePeerNeverReadsClosesAndItsLoopStops() throws Exception {
        for (Transport transport : Transport.available()) {
            EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("stalled-close", true));
            try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Channel channel = new Bootstrap().group(group).channel(transport.socketChannel())
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                Transport.prepare(ch);
                            }
                        })
                        .connect(peer.getLocalSocketAddress()).sync().channel();
                try (Socket neverRead = peer.accept()) {
                    byte[] megabyte = new byte[1 << 20];
                    // Loopback buffers take a few megabytes; 32 leave a write waiting on the peer.
                    for (int i = 0; i < 32; i++) {
                        channel.write(Unpooled.wrappedBuffer(megabyte));
                    }
                    channel.flush();
                    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> !channel.isWritable());
                    assertTrue(channel.close().await(5, TimeUnit.SECONDS), transport + ": closed although a write was stuck");
                }
            } finally {
                assertTrue(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS),
                        transport + ": its event loop stopped");
            }
        }
    }
}
