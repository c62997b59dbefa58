package io.streamhelper.relay.rtmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.incubator.channel.uring.IOUring;
import io.netty.incubator.channel.uring.IOUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void nioIsAlwaysThereAndAutoTakesIoUringOnlyWhereItWorks() {
        assertEquals(Transport.NIO, Transport.select("nio"));
        assertEquals(IOUring.isAvailable() ? Transport.IO_URING : Transport.NIO, Transport.select("auto"));
        assertThrows(IllegalArgumentException.class, () -> Transport.select("epoll"));
    }

    @Test
    void ioUringAskedForIsGivenOrRefusedWithTheReason() {
        if (IOUring.isAvailable()) {
            assertEquals(Transport.IO_URING, Transport.select("io_uring"));
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Transport.select("io_uring"));
            assertTrue(e.getMessage().contains("not available here"), e.getMessage());
        }
    }

    @Test
    void channelsFollowTheTransportOfTheLoopTheyAreRegisteredOn() {
        for (Transport transport : IOUring.isAvailable() ? Transport.values() : new Transport[] {Transport.NIO}) {
            EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("transport-test"));
            try {
                assertEquals(transport, Transport.of(group));
                assertTrue(transport.canRegisterOn(group.next()), transport + " loop takes its own channels");
                Transport other = transport == Transport.NIO ? Transport.IO_URING : Transport.NIO;
                assertFalse(other.canRegisterOn(group.next()), other + " channels stay off a " + transport + " loop");
                assertFalse(transport.canRegisterOn(ImmediateEventExecutor.INSTANCE), "not an event loop");
                assertEquals(transport == Transport.NIO ? NioSocketChannel.class : IOUringSocketChannel.class, transport.socketChannel());
            } finally {
                group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }
}
