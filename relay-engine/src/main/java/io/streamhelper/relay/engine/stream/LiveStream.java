package io.streamhelper.relay.engine.stream;

import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.FanOutScope;
import io.streamhelper.relay.engine.media.FlvTags;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.session.SessionRecorder;
import io.streamhelper.relay.engine.session.SessionSoFar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream while it is live: the cached start-up tags (metadata, sequence headers, current GOP)
 * and the sinks that receive every tag. All state is touched only on the stream's event loop
 * ({@link #executor()}, its first publisher's), which is also where the publishers' tags arrive,
 * so ordering between joining and live tags needs no lock.
 *
 * <p>It can outlive its publisher ({@link StreamState}): the registry says when the publisher is
 * lost ({@link #publisherLost}) and when another continues it ({@link #publisherResumed}); the
 * stream keeps one timeline across them ({@link StreamTimeline}) and changes state only through
 * {@link #moveTo}.
 *
 * <p>Fan-out follows Netty's {@code DefaultChannelGroup}: each sink gets a retained duplicate of
 * the tag (same bytes, own indexes), and the original is released once. The duplicates share a
 * {@link FanOutScope}, where the protocol side frames the tag once for all destinations alike.
 * A sink that throws is detached and told ({@link MediaSink#failed}); the others, and the
 * publisher, never notice.
 *
 * <p>It knows its sinks, not what they are: the destinations a stream relays to are built,
 * held and stopped by the registry, so this package imports nothing from {@code destination}.
 */
public final class LiveStream {
    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
    /** In place of the closer once a disconnect was asked for: a closer set later runs at once. */
    private static final Runnable DISCONNECT_REQUESTED = () -> { };
    public static final long DEFAULT_GOP_CACHE_BYTES = 16L * 1024 * 1024;

    private final StreamGrant grant;
    private final EventExecutor executor;
    private final GopCache gop;
    /** A multitrack publisher's tracks; the other tracks' sequence headers for destinations that chose them. */
    private final TrackTable tracks = new TrackTable();
    /** The codecs as destinations decide on them; fed every tag before it is fanned out. */
    private final StreamCodecs codecs;
    private final Instant startedAt = Instant.now();
    private MediaSink[] sinks = new MediaSink[0];
    private MediaMessage metadata;
    private MediaMessage videoHeader;
    private MediaMessage audioHeader;
    /** The enhanced-RTMP packets that configure the sequence starts ({@link MediaMessage#isCodecConfig}). */
    private MediaMessage videoConfig;
    private MediaMessage audioConfig;
    /** Written on the executor only, through {@link #moveTo}. */
    private volatile StreamState state = StreamState.LIVE;
    private volatile Instant graceEndsAt;
    private volatile long publisherReconnects;
    private final StreamTimeline timeline = new StreamTimeline();
    /** Monotonic nanoseconds: the stream's clock (the registry's {@code Timers}, virtual in tests). */
    private final LongSupplier nanoClock;
    /** When the last tag arrived (or the stream began); on the executor. */
    private long lastMediaNanos;
    /** When the current publisher got the stream (it began, or a publisher continued it); on the executor. */
    private long publisherSinceNanos;
    /** A continuing publisher's sequence headers are still to be compared with its predecessor's. */
    private boolean comparingHeaders;
    private final AudioHold audioHold;
    /** Some sink may have audio waiting in its outgoing buffer. */
    private boolean audioHeld;
    /** Counts holds, so a timer knows whether the hold it was started for is still on. */
    private long holdNumber;
    private final RateMeter incoming = new RateMeter();
    private final RateMeter incomingFrames = new RateMeter();

    private volatile long bytesIn;
    private volatile long videoFrames;
    private volatile String videoCodec = "none";
    private volatile String audioCodec = "none";
    private volatile String publisherAddress;
    private volatile VideoFormat announcedFormat = VideoFormat.UNKNOWN;
    /** Media time between the last two keyframes; -1 until two have arrived. */
    private volatile long keyframeIntervalMillis = -1;
    private long lastKeyframeAt = -1;

    private final RelayCounters counters;
    /** What happens during this broadcast, for the report at its end; on the executor. */
    private final SessionRecorder session;
    private final AtomicReference<Runnable> publisherCloser = new AtomicReference<>(() -> { });
    public LiveStream(StreamGrant grant, EventExecutor executor, long gopCacheBytes) {
        this(grant, executor, gopCacheBytes, new RelayCounters(), AudioHold.NONE);
    }

    /** @param audioHold when audio may wait for the next video frame */
    public LiveStream(StreamGrant grant, EventExecutor executor, long gopCacheBytes, RelayCounters counters, AudioHold audioHold) {
        this(grant, executor, gopCacheBytes, counters, audioHold, System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds: how the stream measures a publisher's silence and gaps */
    public LiveStream(StreamGrant grant, EventExecutor executor, long gopCacheBytes, RelayCounters counters, AudioHold audioHold,
            LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastMediaNanos = nanoClock.getAsLong();
        this.publisherSinceNanos = lastMediaNanos;
        this.counters = counters;
        this.grant = grant;
        this.executor = executor;
        this.gop = new GopCache(gopCacheBytes);
        this.codecs = new StreamCodecs(grant.streamId());
        this.audioHold = audioHold;
        this.session = new SessionRecorder(grant.streamId(), startedAt, nanoClock);
    }

    /** This broadcast's record (its destinations' states and counters); written on {@link #executor()} only. */
    public SessionRecorder session() {
        return session;
    }

    /** This session as it stands now, from any thread: what the API shows while it is live. */
    public SessionSoFar sessionSoFar() {
        return new SessionSoFar(id(), startedAt, bytesIn, videoFrames, publisherReconnects, session.destinationsSoFar());
    }

    /** The server-wide totals this stream and its destinations add to. */
    public RelayCounters counters() {
        return counters;
    }

    public String id() {
        return grant.streamId();
    }

    public String name() {
        return grant.name();
    }

    /** The user who owns this stream ({@link StreamGrant#NO_OWNER} for configured streams). */
    public long ownerId() {
        return grant.ownerId();
    }

    public EventExecutor executor() {
        return executor;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public long bytesIn() {
        return bytesIn;
    }

    /** Incoming bitrate of the publisher's media over the last second or more. */
    public double bitrateKbps() {
        return incoming.kbps(bytesIn);
    }

    public long videoFrames() {
        return videoFrames;
    }

    /** Video frames per second actually received, over the last second or more. */
    public double measuredFrameRate() {
        return incomingFrames.perSecond(videoFrames);
    }

    /** Where the publisher connects from ({@code ip:port}, {@code [v6]:port}), or null if not told. */
    public String publisherAddress() {
        return publisherAddress;
    }

    /** Set by the registry before the stream becomes visible, and again for each publisher that continues it. */
    public void publisherAddress(String address) {
        this.publisherAddress = address;
    }

    /** Size and frame rate from the publisher's onMetaData; {@link VideoFormat#UNKNOWN} until it sends one. */
    public VideoFormat announcedFormat() {
        return announcedFormat;
    }

    /**
     * The ingest read the publisher's onMetaData (it owns the AMF0 reader; metadata is rare, so
     * this costs nothing per frame). Must be called on {@link #executor()}, like {@link #publish}.
     */
    public void announceFormat(VideoFormat format) {
        assert executor.inEventLoop();
        announcedFormat = format;
    }

    /**
     * The publisher's keyframe interval in media time, from the last two keyframes; -1 until two
     * have arrived. Platforms refuse or degrade streams whose interval is too long (Twitch and
     * Facebook ask for 2 s, YouTube at most 4 s), and the encoder is where it is set.
     */
    public long keyframeIntervalMillis() {
        return keyframeIntervalMillis;
    }

    private void keyframeSeen(long timestamp) {
        if (lastKeyframeAt >= 0) {
            keyframeIntervalMillis = (timestamp - lastKeyframeAt) & 0xFFFFFFFFL; // RTMP time wraps at 2^32
        }
        lastKeyframeAt = timestamp;
    }

    /** The codecs destinations decide on, and where they watch for changes; on {@link #executor()} only. */
    public StreamCodecs codecs() {
        return codecs;
    }

    public String videoCodec() {
        return videoCodec;
    }

    /**
     * The audio and video tracks the publisher has sent (a stream that is not multitrack has
     * track 0 of each kind it sends), with codec, size where known and bitrate. Any thread.
     */
    public List<StreamTrack> tracks() {
        return tracks.snapshot(announcedFormat);
    }

    /** Whether the publisher has sent this track; track 0 is every ordinary tag. Any thread. */
    public boolean hasTrack(MediaKind kind, int trackId) {
        return tracks.has(kind, trackId);
    }

    public String audioCodec() {
        return audioCodec;
    }

    /** One tag from the publisher. Takes ownership. Must be called on {@link #executor()}. */
    public void publish(MediaMessage message) {
        assert executor.inEventLoop();
        if (state == StreamState.ENDED) {
            message.release();
            return;
        }
        message = onTimeline(message);
        remember(message);
        MediaSink[] targets = sinks;
        boolean hold = holdsAudio(message, targets.length);
        FanOutScope scope = new FanOutScope();
        try {
            for (MediaSink sink : targets) {
                MediaMessage copy = message.retainedDuplicateIn(scope);
                int given = copy.refCnt();
                try {
                    if (hold) {
                        sink.deliverHeld(copy);
                    } else {
                        sink.deliver(copy);
                    }
                } catch (RuntimeException | Error e) {
                    rethrowIfFatal(e);
                    // A sink that left the copy as it got it (same count) never took it: release
                    // it here. One that released it already must not see it released twice.
                    if (copy.refCnt() == given) {
                        ReferenceCountUtil.safeRelease(copy);
                    }
                    sinkFailed(sink, e);
                }
            }
        } finally {
            // Sinks send synchronously on this loop and keep their own references to anything
            // shared, so what the scope kept can go now.
            scope.close();
            message.release();
        }
        if (hold) {
            scheduleHeldFlush();
        } else {
            // Whatever was held went out with this tag.
            audioHeld = false;
        }
    }

    /**
     * Audio frames are small and frequent (about 47 a second for AAC at 48 kHz, against 30 video
     * frames): sent on their own, each costs every destination a write and the kernel a TCP push,
     * which at a hundred destinations is most of the relay's CPU. Held back, they ride along with
     * the next video frame, which is sent at once; a timer sends them after the hold time when no
     * video comes (audio-only streams, low frame rates). Video and headers are never held, and
     * neither is anything in a fan-out smaller than the hold asks for ({@link AudioHold}).
     */
    private boolean holdsAudio(MediaMessage message, int destinations) {
        return message.kind() == MediaKind.AUDIO && !message.isHeader() && audioHold.appliesTo(destinations);
    }

    /**
     * The hold time counts from the first tag held since the last send: a timer started for an
     * earlier hold that a video frame already ended must not cut the next one short.
     */
    private void scheduleHeldFlush() {
        if (audioHeld) {
            return;
        }
        audioHeld = true;
        long hold = ++holdNumber;
        executor.schedule(() -> flushHeld(hold), audioHold.millis(), TimeUnit.MILLISECONDS);
    }

    private void flushHeld(long hold) {
        if (audioHeld && hold == holdNumber && state != StreamState.ENDED) {
            audioHeld = false;
            for (MediaSink sink : sinks) {
                try {
                    sink.flush();
                } catch (RuntimeException | Error e) {
                    rethrowIfFatal(e);
                    sinkFailed(sink, e);
                }
            }
        }
    }

    /**
     * One sink threw: it alone is detached and told, so it can recover on its own terms (a
     * destination reconnects with backoff, as after a dropped connection). Left to propagate, the
     * exception would reach the ingest, which closes the publisher and with it every destination.
     * Logged once per failure: a detached sink gets nothing more until it attaches again.
     */
    private void sinkFailed(MediaSink sink, Throwable cause) {
        sinks = Arrays.stream(sinks).filter(s -> s != sink).toArray(MediaSink[]::new);
        String error;
        try {
            error = sink.failed(cause);
        } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            error = cause.getClass().getSimpleName() + " (and " + e.getClass().getSimpleName() + " handling it)";
        }
        log.warn("event=destination_sink_failed stream={} destination={} error=\"{}\"", id(), sink.sinkId(), error);
    }

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /** The tag on the stream's timeline (the same message, for the first publisher). */
    private MediaMessage onTimeline(MediaMessage message) {
        long now = nanoClock.getAsLong();
        long gapMillis = timeline.opensContinuedSegment() ? TimeUnit.NANOSECONDS.toMillis(now - lastMediaNanos) : 0;
        lastMediaNanos = now;
        long ts = timeline.map(message.timestamp(), gapMillis);
        return ts == message.timestamp() ? message : message.withTimestamp(ts);
    }

    private void remember(MediaMessage message) {
        int size = message.content().readableBytes();
        bytesIn += size;
        counters.addBytesIn(size);
        // Track 0 is the stream's own: its headers, frame count and GOP. The other tracks of a
        // multitrack publish are the track table's, and reach only the destinations that chose them.
        boolean primary = tracks.offer(message);
        switch (message.kind()) {
            case METADATA -> metadata = replace(metadata, message);
            case VIDEO -> {
                if (!primary) {
                    break;
                } else if (message.isSequenceHeader()) {
                    compareWithPredecessor(videoHeader, message);
                    videoHeader = replace(videoHeader, message);
                    videoConfig = release(videoConfig); // it configured the sequence start now replaced
                    videoCodec = FlvTags.videoCodec(message.content());
                } else if (message.isCodecConfig()) {
                    videoConfig = replace(videoConfig, message);
                } else if (FlvTags.isVideoFrame(message.content())) {
                    videoFrames++;
                    if (message.isVideoKeyframe()) {
                        keyframeSeen(message.timestamp());
                        comparingHeaders = false; // the new publisher's picture has begun
                    }
                }
            }
            case AUDIO -> {
                if (!primary) {
                    break;
                } else if (message.isSequenceHeader()) {
                    compareWithPredecessor(audioHeader, message);
                    audioHeader = replace(audioHeader, message);
                    audioConfig = release(audioConfig);
                } else if (message.isCodecConfig()) {
                    audioConfig = replace(audioConfig, message);
                }
                if ("none".equals(audioCodec)) {
                    audioCodec = FlvTags.audioCodec(message.content());
                }
            }
            case DATA -> {
                // forwarded, never cached: cue points belong to their moment
            }
        }
        gop.offer(message, primary);
        codecs.seen(message);
    }

    /**
     * A continuing publisher whose sequence header is not its predecessor's (a new resolution or
     * codec settings): every sink is told before the header reaches it, and decides how its
     * destination takes the change ({@link MediaSink#formatChanged}).
     */
    private void compareWithPredecessor(MediaMessage cached, MediaMessage fresh) {
        if (!comparingHeaders || cached == null || ByteBufUtil.equals(cached.content(), fresh.content())) {
            return;
        }
        log.info("event=publisher_format_changed stream={} kind={}", id(), fresh.kind().name().toLowerCase(java.util.Locale.ROOT));
        for (MediaSink sink : sinks) {
            try {
                sink.formatChanged();
            } catch (RuntimeException | Error e) {
                rethrowIfFatal(e);
                sinkFailed(sink, e);
            }
        }
    }

    private static MediaMessage release(MediaMessage cached) {
        if (cached != null) {
            cached.release();
        }
        return null;
    }

    private static MediaMessage replace(MediaMessage old, MediaMessage fresh) {
        if (old != null) {
            old.release();
        }
        return fresh.retainedDuplicate();
    }

    /** Metadata, sequence headers and their configuration packets as they are now, retained for the caller. */
    public List<MediaMessage> retainedHeaders() {
        assert executor.inEventLoop();
        List<MediaMessage> headers = new ArrayList<>(5);
        // Each configuration packet right after the sequence start it configures, as encoders send them.
        for (MediaMessage m : Arrays.asList(metadata, audioHeader, audioConfig, videoHeader, videoConfig)) {
            if (m != null) {
                headers.add(m.retainedDuplicate());
            }
        }
        // Other tracks' headers: each destination's track selection keeps its own track's.
        headers.addAll(tracks.retainedHeaders());
        return headers;
    }

    /**
     * Attaches a sink: on the stream's executor, it first gets the snapshot (headers and current
     * GOP), then every live tag. Safe from any thread. A stream that has ended ignores it.
     */
    public void attach(MediaSink sink) {
        onExecutor(() -> {
            if (state == StreamState.ENDED || Arrays.asList(sinks).contains(sink)) {
                return;
            }
            StreamSnapshot snapshot = new StreamSnapshot(retainedHeaders(), gop.retainedCopy());
            try {
                sink.join(snapshot);
            } catch (RuntimeException | Error e) {
                rethrowIfFatal(e);
                snapshot.close(); // what the sink did not take; what it drained is its own
                sinkFailed(sink, e);
                return;
            }
            MediaSink[] grown = Arrays.copyOf(sinks, sinks.length + 1);
            grown[sinks.length] = sink;
            sinks = grown;
        });
    }

    /** Stops delivering to the sink. Safe from any thread. */
    public void detach(MediaSink sink) {
        onExecutor(() -> sinks = Arrays.stream(sinks).filter(s -> s != sink).toArray(MediaSink[]::new));
    }

    /**
     * The publisher is gone: no more tags to any sink, and every cached tag released. Whoever
     * owns the sinks (the registry, for destinations) stops them. Safe from any thread.
     */
    public void end() {
        onExecutorOrAfterIt(() -> {
            if (state == StreamState.ENDED) {
                return;
            }
            moveTo(StreamState.ENDED);
            graceEndsAt = null;
            sinks = new MediaSink[0];
            for (MediaMessage m : Arrays.asList(metadata, audioHeader, audioConfig, videoHeader, videoConfig)) {
                if (m != null) {
                    m.release();
                }
            }
            metadata = videoHeader = audioHeader = videoConfig = audioConfig = null;
            tracks.clear();
            gop.clear();
        });
    }

    /**
     * How the ingest disconnects this stream's publisher, when the stream is taken away (deleted)
     * while live. The ingest can only say so once the publish is answered; a disconnect asked for
     * before that (the stream deleted while its publisher was being let in) is remembered, and
     * the closer runs at once. Safe from any thread.
     */
    public void onDisconnectRequest(Runnable closer) {
        Runnable previous = publisherCloser.getAndUpdate(p -> p == DISCONNECT_REQUESTED ? p : closer);
        if (previous == DISCONNECT_REQUESTED) {
            closer.run();
        }
    }

    /** Runs the ingest's closer, or leaves word for the one it has not given yet. Safe from any thread. */
    public void disconnectPublisher() {
        publisherCloser.getAndSet(DISCONNECT_REQUESTED).run();
    }

    public boolean isEnded() {
        return state == StreamState.ENDED;
    }

    /** Where the stream is in its life; safe from any thread. */
    public StreamState state() {
        return state;
    }

    /** When the reconnect grace ends, while {@link StreamState#RECONNECTING}; null otherwise. Safe from any thread. */
    public Instant graceEndsAt() {
        return graceEndsAt;
    }

    /**
     * How many times a publisher continued this stream: came back within the grace, or took it
     * over from a silent one. Safe from any thread.
     */
    public long publisherReconnects() {
        return publisherReconnects;
    }

    /**
     * The publisher went away uncleanly and the registry holds the stream for a grace: the sinks
     * stay attached (destinations stay published), and the cached GOP goes, so a destination that
     * joins during or after the gap never starts on pictures from before it. On the executor.
     */
    public void publisherLost(Instant graceEnds) {
        assert executor.inEventLoop();
        moveTo(StreamState.RECONNECTING);
        graceEndsAt = graceEnds;
        gop.clear();
    }

    /**
     * Another publisher continues the stream (back within the grace, or taking over a silent one):
     * its first tag comes the gap's real length after the last one out, every sink restarts its
     * picture at the new publisher's first keyframe, and the cached GOP is the new publisher's
     * only. On the executor.
     */
    public void publisherResumed(String address) {
        assert executor.inEventLoop();
        if (state == StreamState.RECONNECTING) {
            moveTo(StreamState.LIVE);
        }
        graceEndsAt = null;
        publisherReconnects++;
        publisherAddress = address;
        publisherSinceNanos = nanoClock.getAsLong();
        timeline.newPublisher();
        comparingHeaders = true;
        lastKeyframeAt = -1; // the gap is not a keyframe interval: measure the new publisher's own
        gop.clear();
        tracks.forgetOtherTracks();
        for (MediaSink sink : sinks) {
            try {
                sink.publisherChanged();
            } catch (RuntimeException | Error e) {
                rethrowIfFatal(e);
                sinkFailed(sink, e);
            }
        }
    }

    /** How long since the last tag arrived (or the stream began), on the stream's clock. On the executor. */
    public long nanosSinceMedia() {
        return nanoClock.getAsLong() - lastMediaNanos;
    }

    /**
     * How long the current publisher has been silent: since its last tag, or since it got the
     * stream if it has sent none yet. Not {@link #nanosSinceMedia}: a publisher that just came
     * back after a long gap has not been silent for that gap, and must not be taken over before
     * its first tag could arrive. On the executor.
     */
    public long nanosPublisherSilent() {
        return nanoClock.getAsLong() - Math.max(lastMediaNanos, publisherSinceNanos);
    }

    /** The one place the state changes; a change {@link StreamTransitions} does not list throws. */
    private void moveTo(StreamState next) {
        StreamState previous = state;
        StreamTransitions.check(previous, next);
        state = next;
        log.debug("event=stream_state stream={} from={} to={}", id(), previous.wireName(), next.wireName());
    }

    /**
     * Runs the task on {@link #executor()}, or here if that executor is gone (shut down): then
     * nothing else runs there to race with it.
     */
    public void onExecutorOrAfterIt(Runnable task) {
        if (executor.inEventLoop()) {
            task.run();
            return;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException gone) {
            task.run();
        }
    }

    private void onExecutor(Runnable task) {
        if (executor.inEventLoop()) {
            task.run();
        } else {
            executor.execute(task);
        }
    }

    @Override
    public String toString() {
        return "LiveStream(" + grant.streamId() + ")";
    }
}
