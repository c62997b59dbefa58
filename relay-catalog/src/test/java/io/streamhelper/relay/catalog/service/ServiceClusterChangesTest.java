package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.cluster.OtherNodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.catalog.cluster.ClusterChanges;
import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.catalog.store.jdbi.StoreTest;
import io.streamhelper.relay.engine.destination.AddressPolicy;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the services tell other nodes (issue 24): every stored change to a stream's destinations,
 * its deletion and its key rotation, each once it is stored and after this node's own registry
 * acted on it; nothing for a change that was refused. A real SQLite database and registry; the
 * other nodes are a list of what they would have been told.
 */
class ServiceClusterChangesTest extends StoreTest {
    private static final String HEX_KEY = "4f1c2b7a9e3d5c6b8a0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69";

    private final List<String> told = new CopyOnWriteArrayList<>();
    private Database database;
    private StreamRegistry registry;
    private StreamService streams;
    private DestinationService destinations;
    private long owner;

    /** Records each change, with whether this node still had the stream live when told. */
    private final ClusterChanges cluster = new ClusterChanges() {
        @Override
        public void destinationsChanged(long streamId) {
            told.add("destinations " + streamId);
        }

        @Override
        public void streamDeleted(long streamId) {
            told.add("deleted " + streamId + " live-here=" + registry.liveStream(String.valueOf(streamId)).isPresent());
        }

        @Override
        public void keyRotated(long streamId) {
            told.add("rotated " + streamId);
        }
    };

    @BeforeEach
    void open() {
        database = store().open(SecretBox.fromHexKey(HEX_KEY), Clock.systemUTC());
        DatabaseCatalog catalog = new DatabaseCatalog(database.streams(), database.destinations(), database.streamSessions(),
                DatabaseCatalog.DEFAULT_SESSION_HISTORY, Clock.systemUTC());
        registry = new StreamRegistry(catalog, catalog, new NoDestinations(new ManualScheduler()), StreamRegistry.Settings.defaults());
        streams = new StreamService(database.streams(), database.audit(), registry, cluster, OtherNodes.NONE);
        destinations = new DestinationService(database.destinations(), streams, database.audit(), registry,
                AddressPolicy.allowingPrivate(), InetAddress::getAllByName, 10, 100, cluster);
        owner = database.users().register("ada@example.com", "hash").id();
    }

    @AfterEach
    void close() {
        registry.liveStreams().forEach(registry::endPublish);
        database.close();
    }

    private DestinationRecord disabledDestination(long streamId) {
        return destinations.create(owner, new DestinationService.NewDestination(streamId, "custom", TestKeys.destination(),
                Optional.of("rtmp://127.0.0.1:1935/live"), Optional.of("nginx"), Optional.of(false)));
    }

    @Test
    void everyDestinationChangeIsToldWithItsStream() {
        StreamRecord stream = streams.create(owner, "Main");
        long id = stream.id();
        DestinationRecord d = disabledDestination(id);
        destinations.update(owner, d.id(), new DestinationService.Update(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("renamed")));
        destinations.update(owner, d.id(), new DestinationService.Update(Optional.empty(),
                Optional.of(TestKeys.destination()), Optional.empty(), Optional.empty()));
        destinations.delete(owner, d.id());

        assertEquals(List.of("destinations " + id, "destinations " + id, "destinations " + id, "destinations " + id), told);
    }

    @Test
    void aDeletedStreamIsToldAfterThisNodeEndedItAndARotatedKeyIsTold() throws Exception {
        StreamRecord stream = streams.create(owner, "Main");
        registry.beginPublish(TestKeys.issued(stream.key().reveal()), ImmediateEventExecutor.INSTANCE);
        streams.rotateKey(owner, stream.id());
        streams.delete(owner, stream.id());

        assertEquals(List.of("rotated " + stream.id(), "deleted " + stream.id() + " live-here=false"), told);
    }

    @Test
    void aRefusedChangeTellsNobody() {
        StreamRecord stream = streams.create(owner, "Main");
        long stranger = database.users().register("eve@example.com", "hash").id();
        assertThrows(ServiceException.Forbidden.class, () -> streams.delete(stranger, stream.id()));
        assertThrows(ServiceException.Forbidden.class, () -> streams.rotateKey(stranger, stream.id()));
        assertThrows(ServiceException.InvalidField.class, () -> destinations.create(owner,
                new DestinationService.NewDestination(stream.id(), "custom", TestKeys.destination(),
                        Optional.of("http://not-rtmp.example/"), Optional.empty(), Optional.of(false))));
        DestinationRecord d = disabledDestination(stream.id());
        told.clear();
        assertThrows(ServiceException.Forbidden.class, () -> destinations.delete(stranger, d.id()));

        assertEquals(List.of(), told);
    }
}
