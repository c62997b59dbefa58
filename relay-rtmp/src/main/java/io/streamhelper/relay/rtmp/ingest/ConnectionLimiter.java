package io.streamhelper.relay.rtmp.ingest;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
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
    /**
     * Open connections per address; an address with none has no entry. Every change is one atomic
     * {@code compute} on the entry, so a count can never be changed after it left the map (which a
     * separate get-then-increment allowed: the count drifted, and limits were bypassed or wrongly hit).
     */
    private final ConcurrentMap<InetAddress, Integer> perAddress;

    ConnectionLimiter(ConnectionLimits limits) {
        this(limits, new ConcurrentHashMap<>());
    }

    /** {@code perAddress} starts empty; a test gives its own to stop a thread between two map operations. */
    ConnectionLimiter(ConnectionLimits limits, ConcurrentMap<InetAddress, Integer> perAddress) {
        this.limits = limits;
        this.perAddress = perAddress;
    }

    int open() {
        return total.get();
    }

    /** Open connections from {@code address} (for tests). */
    int openFrom(InetAddress address) {
        return perAddress.getOrDefault(address, 0);
    }

    /** Addresses with an open connection (for tests: none once every connection closed). */
    int addressesCounted() {
        return perAddress.size();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress remote = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        InetAddress counted = countedAs(remote);
        String refused = admit(counted);
        if (refused != null) {
            log.info("event=ingest_connection_refused remote={} reason={}", remote.getHostAddress(), refused);
            ctx.close();
            return;
        }
        ctx.channel().attr(COUNTED).set(counted);
        ctx.fireChannelActive();
    }

    /**
     * The client a connection is counted against: an IPv4 address as it is, an IPv6 address as the
     * /64 it is in (its first 64 bits, the rest zero), as the API's rate limit and login throttle
     * count it. A host is given at least a /64, so counting single IPv6 addresses would let one
     * host open the per-address limit's worth from each of 2^64 addresses.
     */
    static InetAddress countedAs(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] block = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(block, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(block);
        } catch (UnknownHostException cannotHappen) { // 16 bytes are always an address
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** Counts the connection in, or says which limit refuses it (and counts nothing). */
    private String admit(InetAddress address) {
        int max = limits.maxConnections();
        if (total.getAndUpdate(n -> n < max ? n + 1 : n) >= max) {
            return "max_connections";
        }
        boolean[] admitted = new boolean[1];
        perAddress.compute(address, (a, open) -> {
            int count = open == null ? 0 : open;
            if (count >= limits.maxConnectionsPerAddress()) {
                return open;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return "max_connections_per_address";
        }
        return null;
    }

    /** Counts out a connection {@link #admit} counted in; the address's entry goes with its last one. */
    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, open) -> open <= 1 ? null : open - 1);
        total.decrementAndGet();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
        if (address != null) {
            release(address);
            ctx.fireChannelInactive();
        }
    }
}
