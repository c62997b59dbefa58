package io.streamhelper.relay.rtmp.ingest;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every ingest connection: counts open connections, in total and per client
 * address, and closes a new one at once, before any byte is read or buffered, when a limit is
 * reached. Thousands of sockets from one scanner then cost the others nothing.
 */
@Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf(ConnectionLimiter.class, "counted");

    private final ConnectionLimits limits;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    ConnectionLimiter(ConnectionLimits limits) {
        this.limits = limits;
    }

    int open() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        String refused = admit(address);
        if (refused != null) {
            log.info("event=ingest_connection_refused remote={} reason={}", address.getHostAddress(), refused);
            ctx.close();
            return;
        }
        ctx.channel().attr(COUNTED).set(address);
        ctx.fireChannelActive();
    }

    /** Counts the connection in, or says which limit refuses it (and counts nothing). */
    private String admit(InetAddress address) {
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            return "max_connections";
        }
        AtomicInteger fromAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (fromAddress.incrementAndGet() > limits.maxConnectionsPerAddress()) {
            fromAddress.decrementAndGet();
            total.decrementAndGet();
            return "max_connections_per_address";
        }
        return null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
        if (address != null) {
            total.decrementAndGet();
            perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
            ctx.fireChannelInactive();
        }
    }
}
