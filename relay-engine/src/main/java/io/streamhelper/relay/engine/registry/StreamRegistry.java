package io.streamhelper.relay.engine.registry;

import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.destination.DestinationConnector;
import io.streamhelper.relay.engine.destination.DestinationDirectory;
import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.destination.Timers;
import io.streamhelper.relay.engine.publish.PublishAuthorizer;
import io.streamhelper.relay.engine.publish.PublishRejectedException;
import io.streamhelper.relay.engine.publish.PublishRejectedException.Reason;
import io.streamhelper.relay.engine.session.EndReason;
import io.streamhelper.relay.engine.session.SessionReport;
import io.streamhelper.relay.engine.stream.AudioHold;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.RelayCounters;
import io.streamhelper.relay.engine.stream.StreamState;
import io.streamhelper.relay.engine.publish.StreamGrant;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live streams of this server: the one place that turns a publish request into a live stream
 * with its destinations running, and a publisher leaving into every destination ending cleanly.
 * It sits above {@code stream} and {@code destination}: a {@link LiveStream} knows only its
 * sinks, and the registry builds and holds each live stream's {@link DestinationRelay}s.
 *
 * <p>A stream outlives its publisher's connection. Each publisher's turn is a {@link Publication};
 * one that ends cleanly (the streamer's stop) ends the stream, one that is lost (the connection
 * dropped, no media) leaves it {@link StreamState#RECONNECTING} for {@link Settings#publisherGrace()}
 * with every destination still published. A publish with the key during the grace, or while the
 * current publisher has sent nothing for {@link Settings#takeoverAfter()}, continues the same
 * stream ({@link #continueStream}). The grace and takeover clocks are the connector's
 * {@link Timers} for the stream's loop, as the destinations' are.
 */
public final class StreamRegistry {
    private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);
    /** How long an ended stream's destinations get to unpublish before its lease is given back anyway. */
    static final Duration UNPUBLISH_WAIT = Duration.ofSeconds(2);
    /** How long {@link #moved} waits for that, in real time, should the stream's loop be gone. */
    private static final long MOVED_WAIT_MS = 5_000;

    /** Hears streams go live and end (the database marks them); called on the publisher's event loop, so it must not block. */
    public interface Listener {
        default void streamStarted(LiveStream stream) {
        }

        default void streamEnded(LiveStream stream) {
        }

        /**
         * The stream ended, with what happened during its session (why it ended, each
         * destination's states and counters), once every destination was stopped. By default
         * {@link #streamEnded(LiveStream)}: a listener overrides one or the other.
         */
        default void streamEnded(LiveStream stream, SessionReport session) {
            streamEnded(stream);
        }
    }

    /**
     * How this registry runs, fixed at construction. {@link #defaults()} is what a test needs;
     * the server sets every field from its configuration (relay-app's RelayConfig).
     *
     * @param gopCacheBytes the most each live stream's GOP cache holds ({@link LiveStream})
     * @param maxLiveStreams at most this many streams live at once (RELAY_MAX_PUBLISHERS); further publishers are refused
     * @param audioHold when audio frames wait to ride along with the next video frame ({@link AudioHold#NONE}: never)
     * @param catalogReads where {@link #beginPublishAsync} reads the catalog (the key, the destinations)
     * @param listener hears streams go live and end
     * @param publisherGrace how long a stream whose publisher was lost waits for one to come back (zero: it ends at once)
     * @param takeoverAfter a publish with the key takes a live stream over once its publisher has sent no media this long
     * @param ownership whether this node may open a stream (several nodes on one database); {@link StreamOwnership#LOCAL} alone
     */
    public record Settings(long gopCacheBytes, int maxLiveStreams, AudioHold audioHold, Executor catalogReads,
            Listener listener, Duration publisherGrace, Duration takeoverAfter, StreamOwnership ownership) {
        public static final Duration DEFAULT_TAKEOVER_AFTER = Duration.ofMillis(2000);

        public Settings {
            Objects.requireNonNull(publisherGrace, "publisherGrace");
            Objects.requireNonNull(takeoverAfter, "takeoverAfter");
            if (publisherGrace.isNegative()) {
                throw new IllegalArgumentException("the publisher grace cannot be negative");
            }
            if (takeoverAfter.isNegative() || takeoverAfter.isZero()) {
                throw new IllegalArgumentException("the takeover silence must be positive");
            }
            if (gopCacheBytes < 0) {
                throw new IllegalArgumentException("the GOP cache size cannot be negative");
            }
            if (maxLiveStreams < 1) {
                throw new IllegalArgumentException("at least one live stream must be allowed");
            }
            Objects.requireNonNull(audioHold, "audioHold");
            Objects.requireNonNull(catalogReads, "catalogReads");
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(ownership, "ownership");
        }

        /**
         * A 16 MiB GOP cache, no limit on live streams, no audio hold, catalog reads on the
         * caller's thread, nobody listening, no publisher grace (a lost publisher ends its stream
         * at once), takeover after 2 s of silence, a single node.
         */
        public static Settings defaults() {
            return new Settings(LiveStream.DEFAULT_GOP_CACHE_BYTES, Integer.MAX_VALUE, AudioHold.NONE, Runnable::run,
                    new Listener() { }, Duration.ZERO, DEFAULT_TAKEOVER_AFTER, StreamOwnership.LOCAL);
        }

        public Settings withGopCacheBytes(long bytes) {
            return new Settings(bytes, maxLiveStreams, audioHold, catalogReads, listener, publisherGrace, takeoverAfter, ownership);
        }

        public Settings withMaxLiveStreams(int max) {
            return new Settings(gopCacheBytes, max, audioHold, catalogReads, listener, publisherGrace, takeoverAfter, ownership);
        }

        public Settings withAudioHold(AudioHold hold) {
            return new Settings(gopCacheBytes, maxLiveStreams, hold, catalogReads, listener, publisherGrace, takeoverAfter, ownership);
        }

        public Settings withCatalogReads(Executor executor) {
            return new Settings(gopCacheBytes, maxLiveStreams, audioHold, executor, listener, publisherGrace, takeoverAfter, ownership);
        }

        public Settings withListener(Listener l) {
            return new Settings(gopCacheBytes, maxLiveStreams, audioHold, catalogReads, l, publisherGrace, takeoverAfter, ownership);
        }

        public Settings withPublisherGrace(Duration grace) {
            return new Settings(gopCacheBytes, maxLiveStreams, audioHold, catalogReads, listener, grace, takeoverAfter, ownership);
        }

        public Settings withTakeoverAfter(Duration silence) {
            return new Settings(gopCacheBytes, maxLiveStreams, audioHold, catalogReads, listener, publisherGrace, silence, ownership);
        }

        public Settings withOwnership(StreamOwnership o) {
            return new Settings(gopCacheBytes, maxLiveStreams, audioHold, catalogReads, listener, publisherGrace, takeoverAfter, o);
        }
    }

    /** {@link #refreshDestinations}: reads and reconciles at most this many times per call. */
    private static final int MAX_REFRESH_ROUNDS = 4;

    private final PublishAuthorizer authorizer;
    private final DestinationDirectory directory;
    private final DestinationConnector connector;
    private final Settings settings;
    private final ConcurrentMap<String, Live> live = new ConcurrentHashMap<>();
    private final RelayCounters counters = new RelayCounters();
    private volatile boolean accepting = true;

    /**
     * One live stream and its relays. The list changes only on the stream's loop (one change at
     * a time, see {@link #onStreamLoop}); readers on other threads (stats, metrics) see a copy.
     */
    static final class Live {
        final LiveStream stream;
        final Timers timers;
        final List<DestinationRelay> relays = new CopyOnWriteArrayList<>();
        /**
         * The publication feeding the stream; null while it is reconnecting or once it ended. Set
         * on the stream's loop; cleared there or by the current publication's own clean end, so a
         * compare-and-set decides between a takeover and the old publisher's stop.
         */
        final AtomicReference<Publication> current = new AtomicReference<>();
        /** The listener was told this stream started (so it is told the end too); on the stream's loop. */
        boolean startAnnounced;
        /** The end of the reconnect grace, while reconnecting; on the stream's loop. */
        Timers.Cancellable grace;
        /** Completes once the stream ended, its destinations unpublished and its lease given back. */
        final CompletableFuture<Void> unpublished = new CompletableFuture<>();

        Live(LiveStream stream, Timers timers) {
            this.stream = stream;
            this.timers = timers;
        }
    }

    public StreamRegistry(PublishAuthorizer authorizer, DestinationDirectory directory, DestinationConnector connector,
            Settings settings) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Opens the stream this key belongs to, on the publisher's executor, and starts relaying to
     * its destinations. Refuses unknown keys and a second publisher on a live stream (the first
     * one keeps streaming).
     */
    public Publication beginPublish(String streamKey, EventExecutor executor) throws PublishRejectedException {
        return beginPublish(streamKey, executor, null);
    }

    /**
     * The same, naming where the publisher connects from ({@code ip:port}) for stats; it is set
     * before the stream is visible, so no reader sees a live stream without it.
     */
    public Publication beginPublish(String streamKey, EventExecutor executor, String publisherAddress)
            throws PublishRejectedException {
        try {
            return openStream(streamKey, executor, publisherAddress);
        } catch (PublishRejectedException rejected) {
            counters.publishRejected(rejected.reason());
            throw rejected;
        }
    }

    /**
     * As {@link #beginPublish(String, EventExecutor, String)}, with the catalog reads (the key, the
     * stream's destinations) done on {@link Settings#catalogReads()}: the ingest calls
     * this from the publisher's event loop, which must not wait for a database that other streams'
     * destinations on that loop do not need. Fails with {@link PublishRejectedException} when
     * refused.
     */
    public CompletableFuture<Publication> beginPublishAsync(String streamKey, EventExecutor executor, String publisherAddress) {
        CompletableFuture<Publication> opened = new CompletableFuture<>();
        try {
            settings.catalogReads().execute(() -> {
                try {
                    opened.complete(beginPublish(streamKey, executor, publisherAddress));
                } catch (PublishRejectedException | RuntimeException e) {
                    opened.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException busy) {
            counters.publishRejected(Reason.UNAVAILABLE);
            opened.completeExceptionally(new PublishRejectedException(Reason.UNAVAILABLE, "server is busy, try again"));
        }
        return opened;
    }

    private Publication openStream(String streamKey, EventExecutor executor, String publisherAddress)
            throws PublishRejectedException {
        if (!accepting) {
            throw new PublishRejectedException(Reason.UNAVAILABLE, "server is shutting down");
        }
        StreamGrant grant = authorize(streamKey)
                .orElseThrow(() -> new PublishRejectedException(Reason.UNKNOWN_KEY, "unknown stream key"));
        Live existing = live.get(grant.streamId());
        if (existing != null) {
            Publication continued = continueStream(existing, publisherAddress);
            if (continued != null) {
                return continued;
            }
            // It ended meanwhile: this publish opens a new stream, as after any end.
        }
        // Checked after the key, so the answer to a stranger stays "unknown key". Two publishers
        // racing for the last place may both get in: a soft cap, which is all it needs to be.
        if (live.size() >= settings.maxLiveStreams()) {
            throw new PublishRejectedException(Reason.TOO_MANY_PUBLISHERS, "the server has as many live streams as it allows");
        }
        claim(grant.streamId());
        return register(grant, streamKey, executor, publisherAddress);
    }

    /**
     * May this node open the stream? Asked after the key is known and nothing of it is live here.
     * Another node relaying it with its publisher feeding it gets the same answer as a second
     * encoder here; a question that could not be decided (the owner did not let go in time, the
     * database is unreachable) is a refusal to try again.
     */
    private void claim(String streamId) throws PublishRejectedException {
        StreamOwnership.Claim claim;
        try {
            claim = settings.ownership().claim(streamId);
        } catch (RuntimeException e) {
            log.warn("event=stream_claim_failed stream={} error=\"{}\"", streamId, e.getMessage());
            claim = StreamOwnership.Claim.UNAVAILABLE;
        }
        switch (claim) {
            case OWNED -> {
            }
            case LIVE_ELSEWHERE -> throw alreadyLive();
            case UNAVAILABLE -> throw new PublishRejectedException(Reason.UNAVAILABLE,
                    "the stream is moving between nodes or the database is unreachable, try again");
        }
    }

    /**
     * The key, read from the catalog. A catalog that fails (the database is down) refuses the
     * publish as unavailable, counted like any refusal, rather than closing the connection with
     * an exception nobody counts.
     */
    private Optional<StreamGrant> authorize(String streamKey) throws PublishRejectedException {
        try {
            return authorizer.authorize(streamKey);
        } catch (RuntimeException e) {
            log.warn("event=publish_catalog_failed error=\"{}\"", e.getMessage());
            throw new PublishRejectedException(Reason.UNAVAILABLE, "database unreachable, try again");
        }
    }

    private Publication register(StreamGrant grant, String streamKey, EventExecutor executor, String publisherAddress)
            throws PublishRejectedException {
        Timers timers = connector.timers(executor);
        LiveStream stream = new LiveStream(grant, executor, settings.gopCacheBytes(), counters, settings.audioHold(),
                timers::nanoTime);
        stream.publisherAddress(publisherAddress);
        Live entry = new Live(stream, timers);
        Publication publication = new Publication(this, entry);
        entry.current.set(publication);
        stream.onDisconnectRequest(publication::disconnect);
        // This node holds the stream's lease now: a failure before the stream is visible gives
        // it back here; once visible, the stream's end does (endStream).
        List<DestinationTarget> targets;
        try {
            // Relays exist before the stream is visible, so nobody sees a live stream without them;
            // they start only once it is registered.
            targets = directory.destinationsOf(grant.streamId());
            for (DestinationTarget target : targets) {
                entry.relays.add(new DestinationRelay(stream, target, connector));
            }
            if (live.putIfAbsent(grant.streamId(), entry) != null) {
                throw alreadyLive();
            }
        } catch (RuntimeException | PublishRejectedException e) {
            settings.ownership().released(grant.streamId());
            throw e;
        }
        // From here the stream is visible: whatever fails before it is handed to the publisher
        // (the catalog read again, a listener, the reconcile) must end it, or it would stay live
        // with nobody publishing and refuse every later publish as already live.
        try {
            // A stream deleted after the key was read above found nothing live to disconnect: ask
            // again now that it is visible (a delete from now on finds it and disconnects it).
            if (!authorize(streamKey).map(g -> g.streamId().equals(grant.streamId())).orElse(false)) {
                throw new PublishRejectedException(Reason.UNKNOWN_KEY, "unknown stream key");
            }
            onStreamLoop(stream, () -> {
                if (!stream.isEnded()) {
                    entry.startAnnounced = true;
                    log.info("event=publish_start stream={} destinations={}", grant.streamId(), targets.size());
                    settings.listener().streamStarted(stream);
                    entry.relays.forEach(DestinationRelay::start);
                }
                return null;
            }, null);
            reconcile(entry, targets);
            if (stream.isEnded()) {
                // Taken away while going live: deleted, or the server is shutting down.
                throw accepting ? new PublishRejectedException(Reason.UNKNOWN_KEY, "unknown stream key")
                        : new PublishRejectedException(Reason.UNAVAILABLE, "server is shutting down");
            }
        } catch (RuntimeException | PublishRejectedException e) {
            endPublish(stream);
            throw e;
        }
        return publication;
    }

    /** The refusal names no address and no key: the other encoder may be someone else's machine. */
    private static PublishRejectedException alreadyLive() {
        return new PublishRejectedException(Reason.ALREADY_LIVE, "the stream is live from another encoder");
    }

    /**
     * A publish with the key of a stream that is live or reconnecting: while reconnecting, the
     * newcomer continues it; while live, it takes it over if the current publisher has been silent
     * for {@link Settings#takeoverAfter()} (its connection is closed), and is refused otherwise.
     * Continuing means the same {@link LiveStream} and the same relays and destination
     * connections: nothing is unpublished or published again at any destination. Returns null if
     * the stream ended meanwhile.
     */
    private Publication continueStream(Live entry, String publisherAddress) throws PublishRejectedException {
        LiveStream stream = entry.stream;
        Object outcome = onStreamLoop(stream, () -> {
            if (stream.isEnded() || live.get(stream.id()) != entry) {
                return null;
            }
            boolean takeover = stream.state() == StreamState.LIVE;
            long silentNanos = stream.nanosSinceMedia();
            if (takeover) {
                Publication previous = entry.current.get();
                // The current publisher's own silence: one that continued the stream a moment ago
                // has not been silent for the gap before it.
                long publisherSilentNanos = stream.nanosPublisherSilent();
                if (publisherSilentNanos < settings.takeoverAfter().toNanos()) {
                    return alreadyLive();
                }
                if (previous == null || !entry.current.compareAndSet(previous, null)) {
                    return null; // its publisher stopped it just now: the stream is ending
                }
                log.info("event=publisher_takeover stream={} silent_ms={}", stream.id(),
                        TimeUnit.NANOSECONDS.toMillis(publisherSilentNanos));
                previous.disconnect();
            } else {
                cancelGrace(entry);
            }
            Publication next = new Publication(this, entry);
            Duration gap = Duration.ofNanos(silentNanos);
            stream.publisherResumed(publisherAddress);
            if (!takeover) {
                settings.ownership().stateChanged(stream.id(), StreamState.LIVE);
            }
            entry.current.set(next);
            stream.onDisconnectRequest(next::disconnect);
            log.info("event=publisher_gap stream={} outcome=bridged gap_ms={}{}", stream.id(), gap.toMillis(),
                    takeover ? " how=takeover" : "");
            counters.gapBridged(gap);
            return next;
        }, null);
        if (outcome instanceof PublishRejectedException refused) {
            throw refused;
        }
        return (Publication) outcome;
    }

    /**
     * The publication's streamer stopped (FCUnpublish, deleteStream, closeStream): if it still
     * feeds the stream, the stream ends, everywhere. From any thread; a stale publication
     * (taken over, or its stream ended) changes nothing. Decided on the stream's loop, behind the
     * tags a publication on another loop handed over before its stop: decided at once, the stop
     * would overtake them and they would be dropped, the last frames before Stop never reaching
     * a destination. On the stream's loop (the common case) it ends at once.
     */
    void publicationEnded(Live entry, Publication publication) {
        publicationEnded(entry, publication, EndReason.STOPPED);
    }

    private void publicationEnded(Live entry, Publication publication, EndReason reason) {
        entry.stream.onExecutorOrAfterIt(() -> {
            if (entry.current.compareAndSet(publication, null)) {
                endStream(entry.stream, "ended", accepting ? reason : EndReason.SHUTDOWN);
            }
        });
    }

    /**
     * The publication's connection went away uncleanly: if it still feeds the stream, the stream
     * waits {@link Settings#publisherGrace()} for a publisher to come back, every destination kept
     * published; with no grace, or while the server shuts down, it ends as after a stop. From any
     * thread (queued on the stream's loop behind the tags the publication handed over).
     */
    void publisherLost(Live entry, Publication publication, String why) {
        LiveStream stream = entry.stream;
        stream.onExecutorOrAfterIt(() -> {
            if (entry.current.get() != publication || stream.isEnded()) {
                return;
            }
            Duration grace = settings.publisherGrace();
            if (grace.isZero() || !accepting || stream.executor().isShuttingDown() || live.get(stream.id()) != entry) {
                publicationEnded(entry, publication, EndReason.LOST);
                return;
            }
            if (!entry.current.compareAndSet(publication, null)) {
                return;
            }
            stream.publisherLost(Instant.now().plus(grace));
            settings.ownership().stateChanged(stream.id(), StreamState.RECONNECTING);
            log.info("event=publisher_lost stream={} grace_s={} why=\"{}\"", stream.id(), grace.toSeconds(), why);
            entry.grace = entry.timers.after(grace, () -> graceExpired(entry));
        });
    }

    /**
     * On the stream's loop: nobody came back in time. Once the server is stopping nobody could
     * have (no publisher is let in), so the session ended by the shutdown, as it would a moment
     * later when the server's close ends every stream.
     */
    private void graceExpired(Live entry) {
        entry.grace = null;
        if (entry.stream.state() != StreamState.RECONNECTING) {
            return;
        }
        endStream(entry.stream, "expired", accepting ? EndReason.GRACE_EXPIRED : EndReason.SHUTDOWN);
    }

    /** On the stream's loop. */
    private static void cancelGrace(Live entry) {
        if (entry.grace != null) {
            entry.grace.cancel();
            entry.grace = null;
        }
    }

    /**
     * The stream's ingest key was replaced: a stream waiting for its publisher to come back ends
     * now (whoever comes back has the old key), one with a publisher live goes on. Returns
     * whether it ended one. Safe from any thread but an event loop.
     */
    public boolean keyRotated(String streamId) {
        Live entry = live.get(streamId);
        if (entry == null) {
            return false;
        }
        return onStreamLoop(entry.stream, () -> {
            if (entry.stream.state() != StreamState.RECONNECTING) {
                return false;
            }
            endStream(entry.stream, "key_rotated", EndReason.KEY_ROTATED);
            return true;
        }, false);
    }

    /**
     * A destination added, changed or removed between reading the list above and registering
     * the stream was told the stream was not live, so it would be missed until the next publish;
     * one more read, now that the stream is visible to such changes, closes that gap.
     */
    private void reconcile(Live stream, List<DestinationTarget> before) {
        List<DestinationTarget> now = directory.destinationsOf(stream.stream.id());
        if (now.equals(before)) {
            return;
        }
        for (DestinationTarget target : now) {
            if (!before.contains(target)) {
                apply(stream, target);
            }
        }
        for (DestinationTarget gone : before) {
            if (now.stream().noneMatch(t -> t.id().equals(gone.id()))) {
                remove(stream, gone.id());
            }
        }
    }

    /**
     * The stream's destinations changed somewhere this registry did not see (another node's API,
     * relay-cluster's bus): if the stream is live here, its destinations are read again from the
     * {@link DestinationDirectory}, on the calling thread (which may block: never an event loop),
     * and reconciled on the stream's loop in one step. A destination new or changed in what it
     * publishes to (URL, key, platform, codecs, tracks) gets a new relay; one removed or disabled
     * is stopped; one unchanged, or only renamed, goes on with its connection untouched (as a
     * rename through this node's API does). Returns whether the stream was live here.
     *
     * <p>A change through this node's own API at the same moment (its store write, then its
     * {@link #applyDestination}) can fall between this read and the reconcile, which would then
     * put the older target back. So a reconcile that changed anything is followed by another read:
     * that one comes after every such write the reconcile could have overtaken, and the round
     * after it finds nothing to change (bounded, should changes never stop coming).
     */
    public boolean refreshDestinations(String streamId) {
        boolean wasLive = false;
        for (int round = 0; round < MAX_REFRESH_ROUNDS; round++) {
            Live entry = live.get(streamId);
            if (entry == null) {
                return wasLive;
            }
            List<DestinationTarget> now = directory.destinationsOf(streamId);
            Boolean changed = onStreamLoop(entry.stream, () -> reconcileWith(entry, now), null);
            if (changed == null) {
                return wasLive;
            }
            wasLive = true;
            if (!changed) {
                break;
            }
        }
        return wasLive;
    }

    /**
     * On the stream's loop: makes its relays what {@code now} lists. Returns whether it changed
     * any, or null when the stream ended meanwhile.
     */
    private Boolean reconcileWith(Live entry, List<DestinationTarget> now) {
        if (entry.stream.isEnded() || live.get(entry.stream.id()) != entry) {
            return null;
        }
        boolean changed = false;
        for (DestinationTarget target : now) {
            if (entry.relays.stream().noneMatch(r -> samePublication(r.target(), target))) {
                changed |= apply(entry, target);
            }
        }
        for (DestinationRelay relay : List.copyOf(entry.relays)) {
            String id = relay.target().id();
            if (now.stream().noneMatch(t -> t.id().equals(id))) {
                changed |= remove(entry, id);
            }
        }
        return changed;
    }

    /** Whether a relay to {@code running} already publishes what {@code wanted} asks: all but the name. */
    private static boolean samePublication(DestinationTarget running, DestinationTarget wanted) {
        return running.id().equals(wanted.id()) && running.url().equals(wanted.url())
                && running.streamKey().equals(wanted.streamKey()) && running.platform().equals(wanted.platform())
                && running.codecs().equals(wanted.codecs()) && running.tracks().equals(wanted.tracks());
    }

    /**
     * A destination of a stream was added, enabled or changed (URL, key): if the stream is live,
     * its relay starts now (replacing the one with the same id, if any), without touching the
     * stream's other destinations. Returns whether the stream was live.
     */
    public boolean applyDestination(String streamId, DestinationTarget target) {
        Live stream = live.get(streamId);
        return stream != null && apply(stream, target);
    }

    /**
     * A destination was removed or disabled: if its stream is live, that relay unpublishes and
     * stops now; the others go on. Returns whether a running relay was stopped.
     */
    public boolean removeDestination(String streamId, String destinationId) {
        Live stream = live.get(streamId);
        return stream != null && remove(stream, destinationId);
    }

    /**
     * Replaces the stream's relay to this destination, on the stream's loop: API threads and the
     * catalog thread's reconcile both get here, and two of them each removing the old relay and
     * adding a new one would leave two relays publishing under one key.
     */
    private boolean apply(Live entry, DestinationTarget target) {
        LiveStream stream = entry.stream;
        return onStreamLoop(stream, () -> {
            if (stream.isEnded()) {
                return false;
            }
            removeRelay(entry, target.id());
            DestinationRelay relay = new DestinationRelay(stream, target, connector);
            entry.relays.add(relay);
            relay.start();
            log.info("event=destination_applied stream={} destination={}", stream.id(), target.id());
            return true;
        }, false);
    }

    private boolean remove(Live entry, String destinationId) {
        return onStreamLoop(entry.stream, () -> {
            boolean removed = removeRelay(entry, destinationId);
            if (removed) {
                log.info("event=destination_removed stream={} destination={}", entry.stream.id(), destinationId);
                if (entry.relays.isEmpty() && entry.stream.state() == StreamState.RECONNECTING) {
                    // Nothing left to hold published for a publisher that may come back.
                    endStream(entry.stream, "no_destinations", EndReason.NO_DESTINATIONS);
                }
            }
            return removed;
        }, false);
    }

    /** On the stream's loop. */
    private static boolean removeRelay(Live entry, String destinationId) {
        boolean removed = false;
        for (DestinationRelay relay : entry.relays) {
            if (relay.target().id().equals(destinationId)) {
                entry.relays.remove(relay);
                relay.stop();
                removed = true;
            }
        }
        return removed;
    }

    /**
     * Runs one change to a live stream's relays on the stream's event loop, which owns its sinks
     * and relays, so changes from API threads, the catalog thread and the publisher's own loop
     * happen one at a time; the caller waits for the answer (the change itself is quick: a relay
     * connects asynchronously). On that loop already, it runs at once. Must not be called from
     * another event loop, which could be waiting for this one. A loop that is gone (shutting
     * down) answers {@code ifGone}.
     */
    private static <T> T onStreamLoop(LiveStream stream, Supplier<T> change, T ifGone) {
        EventExecutor loop = stream.executor();
        if (loop.inEventLoop()) {
            return change.get();
        }
        try {
            return loop.submit(change::get).syncUninterruptibly().getNow();
        } catch (RejectedExecutionException shutDown) {
            return ifGone;
        }
    }

    /** The live stream with this id, if its publisher is live. */
    public java.util.Optional<LiveStream> liveStream(String streamId) {
        return java.util.Optional.ofNullable(live.get(streamId)).map(entry -> entry.stream);
    }

    /**
     * The relays to this live stream's destinations, as they are now; empty once it has ended
     * (or for a stream this registry does not hold). Safe from any thread.
     */
    public List<DestinationRelay> relays(LiveStream stream) {
        Live entry = live.get(stream.id());
        return entry != null && entry.stream == stream ? List.copyOf(entry.relays) : List.of();
    }

    /**
     * The publisher left (unpublish, disconnect, timeout): end every destination. Idempotent. The
     * stream is no longer live when this returns; its destinations end on its loop, after any
     * change queued there before. Its session ends as {@link EndReason#STOPPED}, or
     * {@link EndReason#SHUTDOWN} once {@link #stopAccepting} was called (the server's close).
     */
    public void endPublish(LiveStream stream) {
        endStream(stream, "ended", accepting ? EndReason.STOPPED : EndReason.SHUTDOWN);
    }

    /**
     * {@code gapOutcome}: what the log says ended a publisher gap, should the stream be
     * reconnecting; {@code reason}: what the session report says ended the stream. The first end
     * path to get here decides both: the later ones find the stream gone.
     */
    private void endStream(LiveStream stream, String gapOutcome, EndReason reason) {
        Live entry = live.get(stream.id());
        boolean wasLive = entry != null && entry.stream == stream && live.remove(stream.id(), entry);
        stream.onExecutorOrAfterIt(() -> {
            if (wasLive) {
                entry.current.set(null);
                cancelGrace(entry);
                if (stream.state() == StreamState.RECONNECTING) {
                    Duration gap = Duration.ofNanos(stream.nanosSinceMedia());
                    log.info("event=publisher_gap stream={} outcome={} gap_ms={}", stream.id(), gapOutcome, gap.toMillis());
                    if ("expired".equals(gapOutcome)) {
                        counters.gapExpired(gap);
                    }
                }
                log.info("event=publish_end stream={} bytes_in={} video_frames={} reason={}", stream.id(), stream.bytesIn(),
                        stream.videoFrames(), reason.wireName());
            }
            stream.end();
            if (wasLive) {
                // After end(): no tag reaches a relay any more while each says goodbye. A relay
                // added by a change queued before this one is in the list too.
                entry.relays.forEach(DestinationRelay::stop);
                // After the stops: the session's last transitions and counters are in.
                if (entry.startAnnounced) {
                    settings.listener().streamEnded(stream, stream.session().finish(reason, stream.bytesIn(),
                            stream.videoFrames(), stream.publisherReconnects()));
                }
                releaseWhenUnpublished(entry);
            }
        });
    }

    /**
     * On the stream's loop, once its relays were told to stop: the lease goes once every
     * destination link has closed (each says goodbye first), or after {@link #UNPUBLISH_WAIT}
     * whatever they did, so another node that takes the stream over never publishes to a
     * destination this one still publishes to.
     */
    private void releaseWhenUnpublished(Live entry) {
        String id = entry.stream.id();
        AtomicBoolean once = new AtomicBoolean();
        Runnable release = () -> {
            if (once.compareAndSet(false, true)) {
                settings.ownership().released(id);
                entry.unpublished.complete(null);
            }
        };
        CompletableFuture<Void> closed = CompletableFuture.allOf(entry.relays.stream()
                .map(r -> r.stopped().toCompletableFuture()).toArray(CompletableFuture[]::new));
        if (closed.isDone()) {
            release.run();
            return;
        }
        Timers.Cancellable bound;
        try {
            bound = entry.timers.after(UNPUBLISH_WAIT, release);
        } catch (RuntimeException loopGone) {
            // The loop is shutting down: its links' close reports may never run.
            release.run();
            return;
        }
        closed.thenRun(() -> {
            bound.cancel();
            release.run();
        });
    }

    /**
     * The stream was deleted (or otherwise taken away) while live: end its destinations and
     * disconnect its publisher. Returns whether it was live. A publisher still being let in when
     * the stream is deleted is refused ({@link #beginPublish}) or, if the ingest has not yet said
     * how to disconnect it, disconnected as soon as it does ({@link LiveStream#onDisconnectRequest}).
     */
    public boolean disconnect(String streamId) {
        Live entry = live.get(streamId);
        if (entry == null) {
            return false;
        }
        LiveStream stream = entry.stream;
        endStream(stream, "ended", EndReason.DELETED);
        stream.disconnectPublisher();
        log.info("event=publisher_disconnected stream={}", streamId);
        return true;
    }

    /**
     * Another node has this stream's encoder now (relay-cluster asks, for a publish that arrived
     * there): if the stream waits here for its publisher to come back, it ends as
     * {@link EndReason#MOVED}, and this returns once every destination unpublished (at most
     * {@link #UNPUBLISH_WAIT}) and its lease was given back. A stream live here with its publisher
     * goes on (false), as does one that is not here (false). Safe from any thread but an event loop.
     */
    public boolean moved(String streamId) {
        Live entry = live.get(streamId);
        if (entry == null) {
            return false;
        }
        boolean ended = onStreamLoop(entry.stream, () -> {
            if (entry.stream.state() != StreamState.RECONNECTING || live.get(streamId) != entry) {
                return false;
            }
            endStream(entry.stream, "moved", EndReason.MOVED);
            return true;
        }, false);
        if (ended) {
            try {
                entry.unpublished.get(MOVED_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                log.warn("event=stream_move_slow stream={}", streamId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ended;
    }

    /**
     * Ends every stream here and disconnects each publisher (a fenced node: it lost the database
     * long enough that other nodes may take its streams over, so it must stop publishing them).
     * From any thread; does not wait.
     */
    public void endAll(EndReason reason) {
        endAll(reason, streamId -> true);
    }

    /** As {@link #endAll(EndReason)}, for the streams whose id {@code which} accepts. */
    public void endAll(EndReason reason, Predicate<String> which) {
        int ended = 0;
        for (Live entry : live.values()) {
            if (which.test(entry.stream.id())) {
                endStream(entry.stream, "ended", reason);
                entry.stream.disconnectPublisher();
                ended++;
            }
        }
        if (ended > 0) {
            log.info("event=streams_ended_all reason={} streams={}", reason.wireName(), ended);
        }
    }

    /** Server-wide totals since start-up, for metrics. */
    public RelayCounters counters() {
        return counters;
    }

    public Collection<LiveStream> liveStreams() {
        return live.values().stream().map(entry -> entry.stream).toList();
    }

    /**
     * No new publishers from now on, and a publisher lost from now on ends its stream at once
     * (no grace); the live ones are ended by the shutdown's {@link #endPublish}.
     */
    public void stopAccepting() {
        accepting = false;
    }
}
