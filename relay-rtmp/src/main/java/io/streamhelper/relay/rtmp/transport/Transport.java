package io.streamhelper.relay.rtmp.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * The socket implementation under the relay's event loops: Java NIO, or Linux's io_uring through
 * Netty's native module. Every tag is one write to each destination, so at a hundred destinations
 * the relay's cost is mostly its writes; io_uring hands a loop iteration's writes to the kernel in
 * one system call (docs/benchmarks.md, "CPU"). Channels take the transport of the group they
 * are registered on, so a destination's channel can still live on its publisher's event loop.
 */
public enum Transport {
    NIO(NioIoHandler.class), IO_URING(IoUringIoHandler.class);

    private final Class<? extends IoHandler> handler;

    Transport(Class<? extends IoHandler> handler) {
        this.handler = handler;
    }

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
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("io_uring was asked for (RELAY_TRANSPORT=io_uring) but is not available here: "
                            + IoUring.unavailabilityCause());
                }
                yield IO_URING;
            }
            case "auto" -> IoUring.isAvailable() ? IO_URING : NIO;
            default -> throw new IllegalArgumentException("unknown transport '" + setting + "': nio, io_uring or auto");
        };
    }

    /** The transports this kernel and container can run: NIO always, io_uring where allowed. */
    public static List<Transport> available() {
        return IoUring.isAvailable() ? List.of(values()) : List.of(NIO);
    }

    /** The transport a group was made for. */
    public static Transport of(EventLoopGroup group) {
        return IO_URING.canRegisterOn(group) ? IO_URING : NIO;
    }

    /** Whether a channel of this transport can be registered on {@code executor} (a loop or a group). */
    public boolean canRegisterOn(EventExecutorGroup executor) {
        return executor instanceof IoEventLoopGroup loops && loops.isIoType(handler);
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
        return channel instanceof IoUringSocketChannel ? IO_URING : NIO;
    }

    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        IoHandlerFactory handlers = this == IO_URING ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, handlers);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == IO_URING ? IoUringSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == IO_URING ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
