package io.streamhelper.relay.catalog.service;

import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.testkit.ManualScheduler;

/**
 * The connector of a registry whose streams have no destinations (these tests are about the
 * catalog, not about publishing anywhere): connecting is a test's mistake; its timers are virtual.
 */
final class NoDestinations implements DestinationConnector {
    private final ManualScheduler clock;

    NoDestinations(ManualScheduler clock) {
        this.clock = clock;
    }

    @Override
    public DestinationLink connect(DestinationTarget target, DestinationLink.Listener listener) {
        throw new AssertionError("these streams have no destinations");
    }

    @Override
    public Timers timers(EventExecutor executor) {
        return Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);
    }
}
