package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.account.Tokens;
import io.streamhelper.relay.catalog.cluster.ClusterChanges;
import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.store.AuditLog;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.catalog.store.StreamStore;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A streamer's input streams. Every method takes the caller's user id and checks ownership here,
 * not in the HTTP handlers: another user's stream is 403, a stream that does not exist 404.
 */
public final class StreamService {
    /** 24 random bytes: 192 bits, 32 URL-safe characters. */
    static final int KEY_BYTES = 24;

    private final StreamStore streams;
    private final AuditLog audit;
    private final StreamRegistry registry;
    private final ClusterChanges cluster;
    private final OtherNodes others;

    /** A single node: nobody else to tell of a change, nobody else relays. */
    public StreamService(StreamStore streams, AuditLog audit, StreamRegistry registry) {
        this(streams, audit, registry, ClusterChanges.NONE, OtherNodes.NONE);
    }

    /**
     * {@code cluster} hears each delete and key rotation once it is stored and this node's
     * registry has acted: the node the stream is live on, if another, acts on it there.
     * {@code others}: what the other nodes of the service relay (a stream may be live on one of them).
     */
    public StreamService(StreamStore streams, AuditLog audit, StreamRegistry registry, ClusterChanges cluster,
            OtherNodes others) {
        this.streams = streams;
        this.audit = audit;
        this.registry = registry;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.others = Objects.requireNonNull(others, "others");
    }

    public StreamRecord create(long callerId, String name) {
        StreamRecord stream = streams.create(callerId, Fields.name("name", name), Secret.of(Tokens.random(KEY_BYTES)));
        audit.record(callerId, "create", "stream", stream.id(), "");
        return stream;
    }

    public List<StreamRecord> list(long callerId) {
        return streams.listByOwner(callerId);
    }

    public StreamRecord get(long callerId, long streamId) {
        StreamRecord stream = streams.findById(streamId).orElseThrow(() -> new ServiceException.NotFound("stream"));
        if (stream.ownerId() != callerId) {
            throw new ServiceException.Forbidden();
        }
        return stream;
    }

    /**
     * Deletes the stream and its destinations. If it is live, its destinations unpublish and its
     * publisher is disconnected: a deleted stream must not go on relaying.
     */
    public void delete(long callerId, long streamId) {
        get(callerId, streamId);
        streams.delete(streamId);
        audit.record(callerId, "delete", "stream", streamId, "");
        registry.disconnect(String.valueOf(streamId));
        cluster.streamDeleted(streamId);
    }

    /**
     * A new ingest key; the old one stops working for new publishes, the current publisher goes
     * on. A stream waiting for its lost publisher to come back ends: whoever would come back has
     * the old key.
     */
    public StreamRecord rotateKey(long callerId, long streamId) {
        get(callerId, streamId);
        StreamRecord rotated = streams.rotateKey(streamId, Secret.of(Tokens.random(KEY_BYTES)));
        audit.record(callerId, "rotate-key", "stream", streamId, "");
        registry.keyRotated(String.valueOf(streamId));
        cluster.keyRotated(streamId);
        return rotated;
    }

    /** A new name; the stats of a stream live now show it at once (they read {@link #currentNames}). */
    public StreamRecord rename(long callerId, long streamId, String name) {
        get(callerId, streamId);
        StreamRecord renamed = streams.rename(streamId, Fields.name("name", name));
        audit.record(callerId, "rename", "stream", streamId, "");
        return renamed;
    }

    /**
     * The stored names of these streams, by stream id as the engine writes it; ids that are not
     * the database's (streams from the configuration file) or are deleted are left out.
     */
    public Map<String, String> currentNames(Collection<String> streamIds) {
        List<Long> ids = streamIds.stream().filter(id -> id.matches("[1-9][0-9]{0,17}")).map(Long::valueOf).toList();
        Map<String, String> names = new HashMap<>();
        streams.namesOf(ids).forEach((id, name) -> names.put(String.valueOf(id), name));
        return names;
    }

    /**
     * Whether the stream is on air right now, here or on another node (the registry and the other
     * nodes' published status know better than the stored flag).
     */
    public boolean isLive(StreamRecord stream) {
        return registry.liveStream(String.valueOf(stream.id())).isPresent() || liveElsewhere(stream.id()).isPresent();
    }

    /**
     * The stream as another node last published it, when it is not live here but there (at most a
     * few seconds old). Empty on a single node.
     */
    public Optional<OtherNodes.RemoteStream> liveElsewhere(long streamId) {
        String id = String.valueOf(streamId);
        if (registry.liveStream(id).isPresent()) {
            return Optional.empty();
        }
        return others.stream(id);
    }
}
