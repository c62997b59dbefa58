package io.streamhelper.relay.engine.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationLink;
import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A destination list that changes while a stream goes live: between the registry's first read
 * and the stream becoming visible, one destination was added, one removed and one re-keyed. The
 * live stream must end up relaying to exactly the list as it is afterwards.
 */
class StreamRegistryRaceTest {

    @Test
    void changesWhileGoingLiveAreNotMissed() throws Exception {
        String ingest = TestKeys.ingest();
        DestinationTarget kept = target("kept", TestKeys.destination());
        DestinationTarget removed = target("removed", TestKeys.destination());
        DestinationTarget rekeyedBefore = target("rekeyed", TestKeys.destination());
        DestinationTarget rekeyedAfter = target("rekeyed", TestKeys.destination());
        DestinationTarget added = target("added", TestKeys.destination());
        AtomicInteger reads = new AtomicInteger();
        // The first read sees the list before the changes, every later read after them.
        DestinationDirectory directory = streamId -> reads.getAndIncrement() == 0
                ? List.of(kept, removed, rekeyedBefore)
                : List.of(kept, rekeyedAfter, added);
        PublishAuthorizer authorizer = key -> key.equals(ingest) ? Optional.of(new StreamGrant("s", "S")) : Optional.empty();
        List<DestinationTarget> connected = new ArrayList<>();
        StreamRegistry registry = new StreamRegistry(authorizer, directory, (target, listener) -> {
            connected.add(target);
            return new IdleLink();
        }, StreamRegistry.Settings.defaults());

        LiveStream stream = registry.beginPublish(ingest, ImmediateEventExecutor.INSTANCE).stream();

        Set<String> relaying = registry.relays(stream).stream().map(DestinationRelay::target)
                .map(t -> t.id() + "/" + t.streamKey().reveal()).collect(Collectors.toSet());
        assertEquals(Set.of("kept/" + kept.streamKey().reveal(), "rekeyed/" + rekeyedAfter.streamKey().reveal(),
                "added/" + added.streamKey().reveal()), relaying);
        assertEquals(2, reads.get(), "one extra read per publish");
        assertEquals(Set.of("kept", "rekeyed", "added"), connected.stream().map(DestinationTarget::id)
                .filter(id -> !id.equals("removed")).collect(Collectors.toSet()), "the right ones were started");
        registry.endPublish(stream);
    }

    private static DestinationTarget target(String id, String key) {
        return new DestinationTarget(id, id, "rtmp://example.invalid/app", Secret.of(key));
    }

    /** A link that never goes live: the test is about which relays exist, not what they send. */
    private static final class IdleLink implements DestinationLink {
        @Override
        public void send(io.streamhelper.relay.engine.media.MediaMessage message) {
            message.release();
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long bytesSent() {
            return 0;
        }

        @Override
        public void close() {
        }

        @Override
        public void abort(Throwable cause) {
        }
    }
}
