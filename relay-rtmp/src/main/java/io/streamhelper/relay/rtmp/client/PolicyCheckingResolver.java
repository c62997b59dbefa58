package io.streamhelper.relay.rtmp.client;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.SocketUtils;
import io.streamhelper.relay.core.destination.AddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a destination's host at connect time and refuses addresses the {@link AddressPolicy}
 * forbids. Checking here, on the address actually dialled, is what defeats DNS rebinding: a name
 * that was public when the destination was saved cannot later lead the relay into the private
 * network. Resolution blocks like Netty's default resolver does.
 */
final class PolicyCheckingResolver extends InetNameResolver {
    private final AddressPolicy policy;

    private PolicyCheckingResolver(EventExecutor executor, AddressPolicy policy) {
        super(executor);
        this.policy = policy;
    }

    static AddressResolverGroup<InetSocketAddress> group(AddressPolicy policy) {
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
                return new PolicyCheckingResolver(executor, policy).asAddressResolver();
            }
        };
    }

    @Override
    protected void doResolve(String host, Promise<InetAddress> promise) {
        try {
            InetAddress address = SocketUtils.addressByName(host);
            if (policy.allows(address)) {
                promise.setSuccess(address);
            } else {
                promise.setFailure(refused(host));
            }
        } catch (UnknownHostException e) {
            promise.setFailure(e);
        }
    }

    @Override
    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
        try {
            List<InetAddress> all = Arrays.asList(SocketUtils.allAddressesByName(host));
            if (all.stream().allMatch(policy::allows)) {
                promise.setSuccess(all);
            } else {
                promise.setFailure(refused(host));
            }
        } catch (UnknownHostException e) {
            promise.setFailure(e);
        }
    }

    private static UnknownHostException refused(String host) {
        return new UnknownHostException(host + " resolves to a loopback, private, link-local or multicast address,"
                + " which destinations may not use (RELAY_ALLOW_PRIVATE_DESTINATIONS)");
    }
}
