package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.store.jdbi.StoreTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.StreamRecord;

import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.registry.Publication;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.testkit.ManualScheduler;
import io.streamhelper.relay.testkit.TestKeys;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new ingest key while the stream waits for its dropped encoder (issue 19): whoever would come
 * back has the old key, so the stream ends now rather than at the end of the grace. A real SQLite
 * database and a real registry; the grace is in virtual time and never runs out on its own.
 */
class StreamServiceRotateKeyTest extends StoreTest {
    private static final String HEX_KEY = "4f1c2b7a9e3d5c6b8a0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69";

    private final ManualScheduler clock = new ManualScheduler();
    private Database database;
    private StreamRegistry registry;
    private StreamService service;
    private long owner;

    @BeforeEach
    void open() {
        database = store().open(SecretBox.fromHexKey(HEX_KEY), java.time.Clock.systemUTC());
        DatabaseCatalog catalog = new DatabaseCatalog(database.streams(), database.destinations(), database.streamSessions(),
                DatabaseCatalog.DEFAULT_SESSION_HISTORY, java.time.Clock.systemUTC());
        registry = new StreamRegistry(catalog, catalog, new NoDestinations(clock), StreamRegistry.Settings.defaults().withPublisherGrace(Duration.ofSeconds(30)));
        service = new StreamService(database.streams(), database.audit(), registry);
        owner = database.users().register("ada@example.com", "hash").id();
    }

    @AfterEach
    void close() {
        registry.liveStreams().forEach(registry::endPublish);
        database.close();
    }

    private static String keyOf(StreamRecord stream) {
        return TestKeys.issued(stream.key().reveal());
    }

    @Test
    void rotatingTheKeyDuringTheGraceEndsTheStreamAndTheOldKeyCannotContinueIt() throws Exception {
        StreamRecord stream = service.create(owner, "Main");
        String oldKey = keyOf(stream);
        Publication first = registry.beginPublish(oldKey, ImmediateEventExecutor.INSTANCE);
        LiveStream live = first.stream();
        first.lost("connection closed");
        assertEquals(StreamState.RECONNECTING, live.state(), "the dropped encoder leaves the stream waiting");
        assertTrue(service.isLive(stream));

        String newKey = keyOf(service.rotateKey(owner, stream.id()));

        assertEquals(StreamState.ENDED, live.state(), "ended at the rotation, not when the grace runs out");
        assertFalse(service.isLive(stream));
        PublishRejectedException refused = assertThrows(PublishRejectedException.class,
                () -> registry.beginPublish(oldKey, ImmediateEventExecutor.INSTANCE));
        assertEquals(PublishRejectedException.Reason.UNKNOWN_KEY, refused.reason(), "the old key continues nothing");
        LiveStream fresh = registry.beginPublish(newKey, ImmediateEventExecutor.INSTANCE).stream();
        assertNotSame(live, fresh, "the new key opens a new broadcast");
        assertEquals(StreamState.LIVE, fresh.state());
    }

    @Test
    void rotatingTheKeyWhileThePublisherIsLiveLetsItGoOn() throws Exception {
        StreamRecord stream = service.create(owner, "Main");
        LiveStream live = registry.beginPublish(keyOf(stream), ImmediateEventExecutor.INSTANCE).stream();

        service.rotateKey(owner, stream.id());

        assertEquals(StreamState.LIVE, live.state(), "the current publisher keeps streaming on the key it connected with");
        assertTrue(service.isLive(stream));
    }
}
