package io.streamhelper.relay.rtmp.client;

import io.netty.channel.Channel;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.testkit.ManualScheduler;
import java.time.Duration;

/** A connector's timers in virtual time: the test moves the clock on the channel's loop. */
final class VirtualTimers {
    final ManualScheduler clock = new ManualScheduler();
    /** What the connector is given for every loop. */
    final Timers timers = Timers.of((delay, task) -> clock.schedule(delay, task)::cancel, clock::nanoTime);

    /** Moves virtual time on the channel's loop, where the session's timers touch its state. */
    void advance(Channel channel, Duration by) {
        channel.eventLoop().submit(() -> clock.advance(by)).syncUninterruptibly();
    }
}
