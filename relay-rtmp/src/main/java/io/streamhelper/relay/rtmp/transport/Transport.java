package io.streamhelper.relay.rtmp.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.incubator.channel.uring.IOUring;
import io.netty.incubator.channel.uring.IOUringEventLoopGroup;
import io.netty.incubator.channel.uring.IOUringServerSocketChannel;
import io.netty.incubator.channel.uring.IOUringSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * The socket implementation under the relay's event loops: Java NIO, or Linux's io_uring through
 * Netty's native module. Every tag is one write to each destination, so at a hundred destinations
 * the relay's cost is mostly its writes; io_uring hands a loop iteration's writes to the kernel in
 * one system call (docs/benchmarks.md, "io_uring"). Channels take the transport of the group they
 * are registered on, so a destination's channel can still live on its publisher's event loop.
 */
public enum Transport {
    NIO, IO_URING;

    /** What {@link #select} takes, as RELAY_TRANSPORT says it. */
    public static final List<String> SETTINGS = List.of("nio", "io_uring", "auto");

    /**
     * The transport an operator asked for: {@code nio}, {@code io_uring} (refused with the reason
     * when this kernel or container does not offer it) or {@code auto} (io_uring where it works).
     */
    public static Transport select(String setting) {
        return switch (setting) {
            case "nio" -> NIO;
            case "io_uring" -> {
                if (!IOUring.isAvailable()) {
                    throw new IllegalStateException("io_uring was asked for (RELAY_TRANSPORT=io_uring) but is not available here: "
                            + IOUring.unavailabilityCause());
                }
                yield IO_URING;
            }
            case "auto" -> IOUring.isAvailable() ? IO_URING : NIO;
            default -> throw new IllegalArgumentException("unknown transport '" + setting + "': nio, io_uring or auto");
        };
    }

    /** The transports this kernel and container can run: NIO always, io_uring where allowed. */
    public static List<Transport> available() {
        return IOUring.isAvailable() ? List.of(values()) : List.of(NIO);
    }

    /** The transport a group was made for. */
    public static Transport of(EventLoopGroup group) {
        return group instanceof IOUringEventLoopGroup ? IO_URING : NIO;
    }

    /** Whether a channel of this transport can be registered on {@code executor}. */
    public boolean canRegisterOn(EventExecutor executor) {
        return executor instanceof EventLoop loop && loop.parent() != null && of(loop.parent()) == this;
    }

    /**
     * Prepares a new channel for the transport it belongs to: on io_uring, a close must not wait
     * for a write the peer never takes ({@link ShutdownBeforeClose}); on NIO nothing is needed.
     * Call it first in the channel's initializer.
     */
    public static void prepare(Channel channel) {
        if (of(channel) == IO_URING) {
            channel.pipeline().addFirst("shutdownBeforeClose", ShutdownBeforeClose.INSTANCE);
        }
    }

    /** The transport a channel belongs to. */
    public static Transport of(Channel channel) {
        return channel instanceof IOUringSocketChannel ? IO_URING : NIO;
    }

    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return this == IO_URING ? new IOUringEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == IO_URING ? IOUringSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == IO_URING ? IOUringServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
