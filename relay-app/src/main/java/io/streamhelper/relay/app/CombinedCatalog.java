package io.streamhelper.relay.app;

import io.streamhelper.relay.catalog.service.DatabaseCatalog;
import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The streams of the database (accounts, the REST API) together with those of the operator's
 * optional streams file. File streams have non-numeric ids (StreamsFile checks), database streams
 * numeric ones, so an id says which of the two answers for it.
 */
final class CombinedCatalog implements PublishAuthorizer, DestinationDirectory, StreamRegistry.Listener {
    private final StaticStreamCatalog file;
    private final DatabaseCatalog database;
    private final Set<String> fileStreamIds;

    CombinedCatalog(StaticStreamCatalog file, DatabaseCatalog database) {
        this.file = file;
        this.database = database;
        this.fileStreamIds = file.entries().stream().map(e -> e.grant().streamId()).collect(Collectors.toSet());
    }

    @Override
    public Optional<StreamGrant> authorize(String streamKey) {
        return file.authorize(streamKey).or(() -> database.authorize(streamKey));
    }

    @Override
    public List<DestinationTarget> destinationsOf(String streamId) {
        return fileStreamIds.contains(streamId) ? file.destinationsOf(streamId) : database.destinationsOf(streamId);
    }

    /** Only database streams have an isLive flag to keep; a file stream's start is not the database's business. */
    @Override
    public void streamStarted(LiveStream stream) {
        if (!fileStreamIds.contains(stream.id())) {
            database.streamStarted(stream);
        }
    }

    @Override
    public void streamEnded(LiveStream stream) {
        if (!fileStreamIds.contains(stream.id())) {
            database.streamEnded(stream);
        }
    }

    /** The session history is the database's too: a file stream's sessions are not kept (it has no row to hang them on). */
    @Override
    public void streamEnded(LiveStream stream, SessionReport session) {
        if (!fileStreamIds.contains(stream.id())) {
            database.streamEnded(stream, session);
        }
    }
}
