package io.streamhelper.relay.rtmp.client;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.NetUtil;
import io.netty.util.internal.SocketUtils;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Resolves a destination's host at connect time and refuses addresses the {@link AddressPolicy}
 * forbids. Checking here, on the address actually dialled, is what defeats DNS rebinding: a name
 * that was public when the destination was saved cannot later lead the relay into the private
 * network.
 *
 * <p>The system resolver blocks, for seconds when a DNS server does not answer. A destination's
 * channel lives on its publisher's event loop, so the lookup runs on a few threads of its own and
 * the answer comes back as a promise: one destination's slow name never holds up the publisher or
 * the other destinations on that loop.
 */
final class PolicyCheckingResolver extends InetNameResolver {
    private static final int LOOKUP_THREADS = 4;

    /** The system resolver's call, replaceable in tests. */
    interface Lookup {
        InetAddress[] allByName(String host) throws UnknownHostException;
    }

    private final AddressPolicy policy;
    private final Executor lookups;
    private final Lookup lookup;

    private PolicyCheckingResolver(EventExecutor executor, AddressPolicy policy, Executor lookups, Lookup lookup) {
        super(executor);
        this.policy = policy;
        this.lookups = lookups;
        this.lookup = lookup;
    }

    static AddressResolverGroup<InetSocketAddress> group(AddressPolicy policy) {
        return group(policy, lookupThreads(), SocketUtils::allAddressesByName);
    }

    static AddressResolverGroup<InetSocketAddress> group(AddressPolicy policy, Executor lookups, Lookup lookup) {
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
                return new PolicyCheckingResolver(executor, policy, lookups, lookup).asAddressResolver();
            }
        };
    }

    /** Daemon threads that end when idle: nothing to shut down, and none kept while nobody connects. */
    private static Executor lookupThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory("dns-lookup", true));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    protected void doResolve(String host, Promise<InetAddress> promise) {
        lookUp(host, promise, all -> all.get(0));
    }

    @Override
    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
        lookUp(host, promise, all -> all);
    }

    private <T> void lookUp(String host, Promise<T> promise, Function<List<InetAddress>, T> answer) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            answer(host, promise, answer, PolicyCheckingResolver::literal); // an address already: no DNS to wait for
            return;
        }
        try {
            lookups.execute(() -> answer(host, promise, answer, lookup));
        } catch (RejectedExecutionException e) {
            promise.tryFailure(e);
        }
    }

    private static InetAddress[] literal(String host) throws UnknownHostException {
        return new InetAddress[] {InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(host))};
    }

    private <T> void answer(String host, Promise<T> promise, Function<List<InetAddress>, T> answer, Lookup lookup) {
        try {
            List<InetAddress> all = Arrays.asList(lookup.allByName(host));
            if (all.stream().allMatch(policy::allows)) {
                promise.trySuccess(answer.apply(all));
            } else {
                promise.tryFailure(refused(host));
            }
        } catch (UnknownHostException | RuntimeException e) {
            promise.tryFailure(e);
        }
    }

    private static UnknownHostException refused(String host) {
        return new UnknownHostException(host + " resolves to an address that is not public (loopback, private,"
                + " link-local, reserved, documentation or multicast), which destinations may not use"
                + " (RELAY_ALLOW_PRIVATE_DESTINATIONS)");
    }
}
