package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.Database;
import io.streamhelper.relay.catalog.store.DatabaseSettings;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Database streams and the operator's file streams side by side, as the server wires them. */
class CombinedCatalogTest {

    /**
     * The stored isLive flag follows database streams; a file stream's id is not a database id,
     * so its start and end must not reach the database at all (they used to, and failed there).
     */
    @Test
    void onlyDatabaseStreamsHaveTheirLiveFlagKept() throws Exception {
        Path dataDir = TestRelayConfig.freshDataDir();
        String databaseKey = TestKeys.ingest();
        String fileKey = TestKeys.ingest();
        DefaultEventLoop loop = new DefaultEventLoop();
        try (Database database = Database.open(DatabaseSettings.sqlite(dataDir), SecretBox.loadOrCreate(dataDir));
                DatabaseCatalog stored = new DatabaseCatalog(database.streams(), database.destinations(), database.streamSessions(),
                DatabaseCatalog.DEFAULT_SESSION_HISTORY, java.time.Clock.systemUTC())) {
            long owner = database.users().register("both@example.com", "not-a-real-hash").id();
            long streamId = database.streams().create(owner, "Stored", Secret.of(databaseKey)).id();
            StaticStreamCatalog file = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                    new StreamGrant("from-file", "From the file"), Secret.of(fileKey), List.of())));
            CombinedCatalog catalog = new CombinedCatalog(file, stored);
            StreamRegistry registry = new StreamRegistry(catalog, catalog, (target, listener) -> {
                throw new AssertionError("neither stream has destinations");
            }, StreamRegistry.Settings.defaults().withListener(catalog));

            LiveStream fromFile = registry.beginPublish(fileKey, loop).stream();
            LiveStream fromDatabase = registry.beginPublish(databaseKey, loop).stream();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> database.streams().findById(streamId).orElseThrow().live());
            registry.endPublish(fromFile);
            assertTrue(database.streams().findById(streamId).orElseThrow().live(), "the file stream's end is not the stored one's");
            registry.endPublish(fromDatabase);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !database.streams().findById(streamId).orElseThrow().live());
            assertFalse(catalog.authorize(fileKey).isEmpty(), "the file stream is still known");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
