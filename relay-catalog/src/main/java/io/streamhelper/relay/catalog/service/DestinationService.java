package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.engine.destination.AddressPolicy;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.TrackSelection;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.catalog.cluster.ClusterChanges;
import io.streamhelper.relay.catalog.error.ServiceException;
import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;
import io.streamhelper.relay.catalog.store.AuditLog;
import io.streamhelper.relay.catalog.store.DestinationChange;
import io.streamhelper.relay.catalog.store.DestinationRecord;
import io.streamhelper.relay.catalog.store.DestinationStore;
import io.streamhelper.relay.catalog.store.StreamRecord;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The destinations of a streamer's streams. Ownership is checked here for every call. Every
 * change to a live stream's destination takes effect at once through the {@link StreamRegistry},
 * without touching the stream's other destinations.
 */
public final class DestinationService {
    /** Resolves a host name; a seam for tests of the private-address rule. */
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** What a user may ask for when adding a destination. Empty optionals take the platform's defaults. */
    public record NewDestination(long streamId, String platform, String streamKey, Optional<String> rtmpUrl,
                                 Optional<String> displayName, Optional<Boolean> enabled,
                                 Optional<Integer> videoTrack, Optional<Integer> audioTrack,
                                 Optional<List<String>> videoCodecs) {
        public NewDestination(long streamId, String platform, String streamKey, Optional<String> rtmpUrl,
                              Optional<String> displayName, Optional<Boolean> enabled) {
            this(streamId, platform, streamKey, rtmpUrl, displayName, enabled, Optional.empty(), Optional.empty(),
                    Optional.empty());
        }

        @Override
        public String toString() {
            return "NewDestination[streamId=" + streamId + ", platform=" + platform + "]";
        }
    }

    /**
     * What a user may change; empty fields stay as they are. {@code videoCodecs} present and
     * empty lifts the restriction (the API's {@code "videoCodecs": null}).
     */
    public record Update(Optional<Boolean> enabled, Optional<String> streamKey, Optional<String> rtmpUrl,
                         Optional<String> displayName, Optional<Integer> videoTrack, Optional<Integer> audioTrack,
                         Optional<List<String>> videoCodecs) {
        public Update(Optional<Boolean> enabled, Optional<String> streamKey, Optional<String> rtmpUrl,
                      Optional<String> displayName) {
            this(enabled, streamKey, rtmpUrl, displayName, Optional.empty(), Optional.empty(), Optional.empty());
        }

        @Override
        public String toString() {
            return "Update[enabled=" + enabled + ", streamKey=" + streamKey.map(k -> "***") + "]";
        }
    }

    private final DestinationStore destinations;
    private final StreamService streams;
    private final AuditLog audit;
    private final StreamRegistry registry;
    private final AddressPolicy addresses;
    private final HostResolver resolver;
    private final int maxPerStream;
    private final int maxPerUser;
    private final ClusterChanges cluster;

    /** A single node: nobody else to tell of a change. */
    public DestinationService(DestinationStore destinations, StreamService streams, AuditLog audit,
            StreamRegistry registry, AddressPolicy addresses, HostResolver resolver, int maxPerStream, int maxPerUser) {
        this(destinations, streams, audit, registry, addresses, resolver, maxPerStream, maxPerUser, ClusterChanges.NONE);
    }

    /**
     * {@code cluster} hears every destination created, changed or deleted, once it is stored and
     * this node's registry has acted: the node the stream is live on, if another, re-reads the
     * stream's destinations there.
     */
    public DestinationService(DestinationStore destinations, StreamService streams, AuditLog audit,
            StreamRegistry registry, AddressPolicy addresses, HostResolver resolver, int maxPerStream, int maxPerUser,
            ClusterChanges cluster) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.destinations = destinations;
        this.streams = streams;
        this.audit = audit;
        this.registry = registry;
        this.addresses = addresses;
        this.resolver = resolver;
        this.maxPerStream = maxPerStream;
        this.maxPerUser = maxPerUser;
    }

    public DestinationRecord create(long callerId, NewDestination request) {
        Platform platform = Platform.fromWireName(request.platform()).orElseThrow(() ->
                new InvalidField("platform", "platform must be one of " + Platform.wireNames()));
        StreamRecord stream = streams.get(callerId, request.streamId());
        String key = Fields.streamKey("streamKey", request.streamKey());
        String url = request.rtmpUrl().or(platform::defaultUrl).orElseThrow(() ->
                new InvalidField("rtmpUrl", "rtmpUrl is required for platform " + platform.wireName()));
        url = checkUrl(url, platform, key);
        String name = request.displayName().isPresent()
                ? Fields.name("displayName", request.displayName().get()) : platform.defaultDisplayName();
        Optional<Integer> videoTrack = checkTrack("videoTrack", request.videoTrack(), MediaKind.VIDEO, stream.id());
        Optional<Integer> audioTrack = checkTrack("audioTrack", request.audioTrack(), MediaKind.AUDIO, stream.id());
        // Null (an empty list here) and absent both mean the platform's own list.
        List<String> videoCodecs = request.videoCodecs().filter(v -> !v.isEmpty())
                .map(v -> VideoCodecs.check(v, platform)).orElse(List.of());
        if (destinations.countByStream(stream.id()) >= maxPerStream) {
            throw new InvalidField("streamId", "a stream may have at most " + maxPerStream + " destinations");
        }
        if (destinations.countByOwner(callerId) >= maxPerUser) {
            throw new InvalidField("streamId", "a user may have at most " + maxPerUser + " destinations");
        }
        DestinationRecord created = destinations.create(stream.id(), callerId, platform.wireName(),
                request.enabled().orElse(true), url, Secret.of(key), name, videoCodecs);
        if (videoTrack.orElse(0) != 0 || audioTrack.orElse(0) != 0) {
            created = destinations.update(created.id(), DestinationChange.tracks(videoTrack, audioTrack));
        }
        audit.record(callerId, "create", "destination", created.id(), "stream=" + stream.id() + " platform="
                + platform.wireName());
        if (created.enabled()) {
            registry.applyDestination(String.valueOf(created.streamId()), DatabaseCatalog.target(created));
        }
        cluster.destinationsChanged(created.streamId());
        return created;
    }

    public List<DestinationRecord> list(long callerId) {
        return destinations.listByOwner(callerId);
    }

    public List<DestinationRecord> listByStream(long callerId, long streamId) {
        streams.get(callerId, streamId);
        return destinations.listByStream(streamId);
    }

    public DestinationRecord get(long callerId, long destinationId) {
        DestinationRecord d = destinations.findById(destinationId)
                .orElseThrow(() -> new ServiceException.NotFound("destination"));
        if (d.ownerId() != callerId) {
            throw new ServiceException.Forbidden();
        }
        return d;
    }

    /**
     * Applies the change. A live stream's relay to this destination reconnects only when what it
     * publishes to changed (URL, key, or enabled again) or the codecs it takes; renaming it does
     * not cut the stream.
     */
    public DestinationRecord update(long callerId, long destinationId, Update update) {
        DestinationRecord before = get(callerId, destinationId);
        Platform platform = Platform.fromWireName(before.platform()).orElse(Platform.CUSTOM);
        Optional<Secret> key = update.streamKey().map(k -> Secret.of(Fields.streamKey("streamKey", k)));
        // The URL is checked against the key the destination will have: the new one, or the stored one.
        Optional<String> url = update.rtmpUrl().map(u -> checkUrl(u, platform,
                key.orElseGet(before::streamKey).reveal()));
        Optional<String> name = update.displayName().map(n -> Fields.name("displayName", n));
        Optional<Integer> videoTrack = checkTrack("videoTrack", update.videoTrack(), MediaKind.VIDEO, before.streamId());
        Optional<Integer> audioTrack = checkTrack("audioTrack", update.audioTrack(), MediaKind.AUDIO, before.streamId());
        Optional<List<String>> videoCodecs = update.videoCodecs()
                .map(v -> v.isEmpty() ? List.<String>of() : VideoCodecs.check(v, platform));
        DestinationRecord after = destinations.update(destinationId,
                new DestinationChange(update.enabled(), key, url, name, videoTrack, audioTrack, videoCodecs));
        List<String> changed = new ArrayList<>();
        update.enabled().ifPresent(e -> changed.add("enabled=" + e));
        key.ifPresent(k -> changed.add("streamKey"));
        url.ifPresent(u -> changed.add("rtmpUrl"));
        name.ifPresent(n -> changed.add("displayName"));
        videoTrack.ifPresent(t -> changed.add("videoTrack=" + t));
        audioTrack.ifPresent(t -> changed.add("audioTrack=" + t));
        videoCodecs.ifPresent(v -> changed.add("videoCodecs=" + (v.isEmpty() ? "platform" : String.join(",", v))));
        audit.record(callerId, "update", "destination", destinationId, String.join(" ", changed));

        String streamId = String.valueOf(after.streamId());
        if (!after.enabled()) {
            registry.removeDestination(streamId, String.valueOf(after.id()));
        } else if (!before.enabled() || key.isPresent() || !after.rtmpUrl().equals(before.rtmpUrl())
                || after.videoTrack() != before.videoTrack() || after.audioTrack() != before.audioTrack()
                || !after.videoCodecs().equals(before.videoCodecs())) {
            // Another track is another picture: the destination starts again from its headers.
            // New codec rules are decided by a new relay: it connects, or is held back, at once.
            registry.applyDestination(streamId, DatabaseCatalog.target(after));
        }
        // Every change, even a rename: the owner's refresh decides what a change means, as above.
        cluster.destinationsChanged(after.streamId());
        return after;
    }

    public void delete(long callerId, long destinationId) {
        DestinationRecord d = get(callerId, destinationId);
        destinations.delete(destinationId);
        audit.record(callerId, "delete", "destination", destinationId, "stream=" + d.streamId());
        registry.removeDestination(String.valueOf(d.streamId()), String.valueOf(d.id()));
        cluster.destinationsChanged(d.streamId());
    }

    /**
     * The live relay status of a destination, or {@code idle} when nothing relays to it now. A
     * stream live on another node shows what that node last published (a few seconds old).
     */
    public RelayStatus status(DestinationRecord d) {
        Optional<LiveStream> here = registry.liveStream(String.valueOf(d.streamId()));
        if (here.isPresent()) {
            return registry.relays(here.get()).stream().filter(r -> r.target().id().equals(String.valueOf(d.id())))
                    .findFirst().map(RelayStatus::of).orElse(RelayStatus.idle());
        }
        return streams.liveElsewhere(d.streamId())
                .map(remote -> remote.destinations().get(String.valueOf(d.id())))
                .map(RelayStatus::of)
                .orElse(RelayStatus.idle());
    }

    /**
     * A track id is one byte; while the stream is live it must be a track the publisher sends
     * (track 0 always passes: it is what a destination gets of a stream that is not multitrack).
     * Chosen while the stream is off the air, it is taken as it is: see docs/api.md for what a
     * destination is sent when its track is absent.
     */
    private Optional<Integer> checkTrack(String field, Optional<Integer> track, MediaKind kind, long streamId) {
        if (track.isEmpty()) {
            return track;
        }
        int id = track.get();
        if (id < 0 || id > TrackSelection.MAX_TRACK_ID) {
            throw new InvalidField(field, field + " must be a track id from 0 to " + TrackSelection.MAX_TRACK_ID);
        }
        Optional<LiveStream> live = registry.liveStream(String.valueOf(streamId));
        if (id != 0 && live.isPresent() && !live.get().hasTrack(kind, id)) {
            String kindName = kind == MediaKind.VIDEO ? "video" : "audio";
            List<Integer> carried = live.get().tracks().stream().filter(t -> t.kind().equals(kindName))
                    .map(t -> t.trackId()).toList();
            throw new InvalidField(field, "the live stream carries no " + kindName + " track " + id
                    + " (it carries " + (carried.isEmpty() ? "none" : carried) + ")");
        }
        return track;
    }

    private String checkUrl(String url, Platform platform, String streamKey) {
        URI uri = IngestUrl.check("rtmpUrl", url, platform, streamKey);
        if (!addresses.allowsPrivate()) {
            String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
            try {
                for (InetAddress address : resolver.resolve(host)) {
                    if (!addresses.allows(address)) {
                        throw new InvalidField("rtmpUrl",
                                "rtmpUrl points to an address that is not public (loopback, private, link-local, reserved,"
                                + " documentation or multicast)");
                    }
                }
            } catch (UnknownHostException e) {
                // Not resolvable now (typo, or DNS down): accepted; the relay checks again at connect time.
            }
        }
        return uri.toString();
    }
}
