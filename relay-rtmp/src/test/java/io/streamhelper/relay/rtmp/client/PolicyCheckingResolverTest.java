package io.streamhelper.relay.rtmp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Name lookups for destinations: off the event loop, and checked against the address policy. */
class PolicyCheckingResolverTest {
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final ExecutorService lookups = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        lookups.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private AddressResolver<InetSocketAddress> resolver(EventLoop loop, AddressPolicy policy,
            PolicyCheckingResolver.Lookup lookup) {
        return PolicyCheckingResolver.group(policy, lookups, lookup).getResolver(loop);
    }

    @Test
    void aNameThatTakesLongToResolveDoesNotHoldUpTheEventLoop() throws Exception {
        EventLoop loop = group.next();
        CountDownLatch dnsAnswers = new CountDownLatch(1);
        InetAddress platform = InetAddress.getByAddress("ingest.example", new byte[] {93, (byte) 184, (byte) 216, 34});
        AddressResolver<InetSocketAddress> resolver = resolver(loop, AddressPolicy.publicOnly(), host -> {
            try {
                dnsAnswers.await(); // a DNS server that does not answer yet
            } catch (InterruptedException e) {
                throw new UnknownHostException("interrupted");
            }
            return new InetAddress[] {platform};
        });

        AtomicReference<Future<InetSocketAddress>> resolving = new AtomicReference<>();
        loop.submit(() -> resolving.set(resolver.resolve(InetSocketAddress.createUnresolved("ingest.example", 1935))))
                .get(5, TimeUnit.SECONDS);
        // The loop goes on with other work (the publisher, the other destinations) while DNS is silent.
        assertEquals("free", loop.submit(() -> "free").get(1, TimeUnit.SECONDS));
        assertFalse(resolving.get().isDone());

        dnsAnswers.countDown();
        InetSocketAddress resolved = resolving.get().get(5, TimeUnit.SECONDS);
        assertEquals(platform, resolved.getAddress());
        assertEquals(1935, resolved.getPort());
    }

    @Test
    void aNameThatResolvesToAPrivateAddressIsRefused() throws Exception {
        InetAddress inside = InetAddress.getByAddress("rebound.example", new byte[] {10, 0, 0, 7});
        AddressResolver<InetSocketAddress> resolver = resolver(group.next(), AddressPolicy.publicOnly(),
                host -> new InetAddress[] {inside});
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> resolver.resolve(InetSocketAddress.createUnresolved("rebound.example", 1935)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("RELAY_ALLOW_PRIVATE_DESTINATIONS"), failed.getCause().getMessage());
    }

    @Test
    void addressLiteralsNeedNoLookup() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver(group.next(), AddressPolicy.allowingPrivate(), host -> {
            throw new AssertionError("looked up " + host);
        });
        InetSocketAddress resolved = resolver.resolve(InetSocketAddress.createUnresolved("127.0.0.1", 1935)).get(5, TimeUnit.SECONDS);
        assertTrue(resolved.getAddress().isLoopbackAddress());
    }

    @Test
    void aFailedLookupFailsTheConnectAttempt() {
        AddressResolver<InetSocketAddress> resolver = resolver(group.next(), AddressPolicy.publicOnly(), host -> {
            throw new UnknownHostException(host);
        });
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> resolver.resolve(InetSocketAddress.createUnresolved("nowhere.invalid", 1935)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, failed.getCause());
    }
}
