package io.streamhelper.relay.rtmp.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Connections from one address opening and closing at once on several event loops, as a busy
 * encoder farm behind one NAT does: the per-address count must stay exact. Each thread plays its
 * own connections through the limiter's real entry points (channelActive, channelInactive). Once,
 * a connection could increment a counter that a closing one had just removed from the map: that
 * connection was then invisible to the limit (a second one from the address got in past a limit
 * of one) and its close decremented someone else's count. The first test races real threads (on
 * the old code it failed in 3 of 4 runs); the second stops one thread right after its first map
 * operation, where the old code's window was, and fails there every time.
 */
class ConnectionLimiterRaceTest {
    private static final InetAddress ADDRESS = InetAddress.getLoopbackAddress();
    private static final int THREADS = 8;
    private static final int CONNECTIONS_PER_THREAD = 40_000;

    /** An in-memory connection that says it comes from {@link #ADDRESS}, as a socket would. */
    private static final class FromAddress extends EmbeddedChannel {
        private static final SocketAddress REMOTE = new InetSocketAddress(ADDRESS, 40000);

        FromAddress(ConnectionLimiter limiter) {
            super(limiter);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return REMOTE;
        }
    }

    @Test
    void oneConnectionPerAddressMeansOneAndTheCountEndsAtZero() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(new ConnectionLimits(Duration.ofSeconds(5), 1000, 1));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < CONNECTIONS_PER_THREAD; i++) {
                        EmbeddedChannel connection = new FromAddress(limiter);
                        if (connection.isOpen()) { // admitted: the limiter closes a refused one at once
                            admitted.incrementAndGet();
                            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            inside.decrementAndGet();
                        }
                        connection.close();
                    }
                    return null;
                }));
            }
            for (Future<?> thread : done) {
                thread.get(2, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }
        assertTrue(admitted.get() > 0, "some connections got in");
        assertEquals(1, mostInside.get(), "never more than one connection from the address at once");
        assertEquals(0, limiter.openFrom(ADDRESS), "every close counted out");
        assertEquals(0, limiter.addressesCounted(), "no address stays in the map");
        assertEquals(0, limiter.open());

        // And the counting still works: one gets in, the next is refused, and in again once it closed.
        EmbeddedChannel first = new FromAddress(limiter);
        EmbeddedChannel second = new FromAddress(limiter);
        assertTrue(first.isOpen());
        assertTrue(!second.isOpen(), "a second connection from the address is refused");
        first.close();
        EmbeddedChannel third = new FromAddress(limiter);
        assertTrue(third.isOpen());
        third.close();
        assertEquals(0, limiter.addressesCounted());
    }

    /**
     * Stops one chosen thread right after one of its map operations returns, until told to go on:
     * the point where another thread's close could slip in between a lookup and an increment.
     */
    private static final class PausingMap<V> extends ConcurrentHashMap<InetAddress, V> {
        volatile Thread pause;
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        private <R> R maybePause(R result) {
            if (Thread.currentThread() == pause) {
                pause = null;
                paused.countDown();
                try {
                    go.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return result;
        }

        @Override
        public V compute(InetAddress key, BiFunction<? super InetAddress, ? super V, ? extends V> remapping) {
            return maybePause(super.compute(key, remapping));
        }

        @Override
        public V computeIfAbsent(InetAddress key, Function<? super InetAddress, ? extends V> mapping) {
            return maybePause(super.computeIfAbsent(key, mapping));
        }

        @Override
        public V computeIfPresent(InetAddress key, BiFunction<? super InetAddress, ? super V, ? extends V> remapping) {
            return maybePause(super.computeIfPresent(key, remapping));
        }
    }

    @Test
    void aCloseBetweenAnotherConnectionsLookupAndCountCannotOrphanItsCount() throws Exception {
        PausingMap<Integer> counts = new PausingMap<>();
        ConnectionLimiter limiter = new ConnectionLimiter(new ConnectionLimits(Duration.ofSeconds(5), 1000, 1), counts);
        EmbeddedChannel first = new FromAddress(limiter);
        assertTrue(first.isOpen());

        EmbeddedChannel[] second = new EmbeddedChannel[1];
        Thread opening = new Thread(() -> second[0] = new FromAddress(limiter));
        counts.pause = opening;
        opening.start();
        assertTrue(counts.paused.await(10, TimeUnit.SECONDS), "the second connection reached the map");
        first.close(); // the only open connection from the address closes meanwhile
        counts.go.countDown();
        opening.join(10_000);

        EmbeddedChannel third = new FromAddress(limiter);
        boolean bothIn = second[0].isOpen() && third.isOpen();
        second[0].close();
        third.close();
        assertTrue(!bothIn, "two connections from the address at once past a limit of one");
        assertEquals(0, limiter.addressesCounted(), "no address stays in the map");
        assertEquals(0, limiter.open());
    }

    /** An in-memory connection from any address. */
    private static EmbeddedChannel from(ConnectionLimiter limiter, String address) throws Exception {
        SocketAddress remote = new InetSocketAddress(InetAddress.getByName(address), 40000);
        return new EmbeddedChannel(limiter) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(new ConnectionLimits(Duration.ofSeconds(5), 1000, 2));
        EmbeddedChannel first = from(limiter, "2001:db8:1:2::1");
        EmbeddedChannel second = from(limiter, "2001:db8:1:2:ffff::2");
        EmbeddedChannel sameBlock = from(limiter, "2001:db8:1:2:abcd:ef01:2345:6789");
        EmbeddedChannel otherBlock = from(limiter, "2001:db8:1:3::1");
        EmbeddedChannel ipv4 = from(limiter, "192.0.2.7");
        assertTrue(first.isOpen() && second.isOpen(), "two from one /64 are within a limit of two");
        assertFalse(sameBlock.isOpen(), "a third address of the same /64 counts as the same client");
        assertTrue(otherBlock.isOpen(), "the next /64 is another client");
        assertTrue(ipv4.isOpen());
        for (EmbeddedChannel c : new EmbeddedChannel[] {first, second, otherBlock, ipv4}) {
            c.close();
        }
        assertEquals(0, limiter.open());
        assertEquals(0, limiter.addressesCounted());
    }
}
