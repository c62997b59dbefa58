package io.streamhelper.relay.engine.destination;

import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.media.TrackSelection;
import io.streamhelper.relay.engine.session.DestinationHistory;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.MediaSink;
import io.streamhelper.relay.engine.stream.RateMeter;
import io.streamhelper.relay.engine.stream.RelayCounters;
import io.streamhelper.relay.engine.stream.StreamCodecs;
import io.streamhelper.relay.engine.stream.StreamSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor of one destination of one live stream: connects through the
 * {@link DestinationConnector}, feeds it the stream from a decodable point on its own continuous
 * timeline, and decides what happens when the link reports trouble (backoff, the refusal retry,
 * stall). What is wanted comes from outside ({@link #start}/{@link #stop}, called by the registry
 * while the stream is live and the destination enabled); what is happening is {@link #state()},
 * changed only by {@link #transition}, which checks {@link DestinationTransitions}. Its links only
 * report (live, closed with a cause); the policy is here. Every timer is on {@link Timers} from the
 * connector (the stream's event loop in the server), and all fields are touched only on the
 * stream's executor.
 *
 * <p>The name stays DestinationRelay: the registry, the stats, the API and the tests all know it
 * by that name, and a rename would only add churn to code others are changing at the same time.
 */
public final class DestinationRelay implements MediaSink, DestinationHistory.RelayCounts {
    private static final Logger log = LoggerFactory.getLogger(DestinationRelay.class);
    static final Duration STABLE_AFTER = Duration.ofSeconds(60);
    static final Duration REJECTED_RETRY = Duration.ofMinutes(5);
    /** A destination whose outgoing buffer stays full this long is not reading: reconnect it. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(5);

    private final LiveStream stream;
    private final DestinationTarget target;
    private final DestinationConnector connector;
    private final EventExecutor executor;
    private final Timers timers;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    private final TimestampContinuity timeline = new TimestampContinuity();
    private final RateMeter outgoing = new RateMeter();
    private final RelayCounters.Platform platformCounters;

    private volatile DestinationState state = DestinationState.IDLE;
    private volatile Instant since = Instant.now();
    private volatile String lastError;
    private volatile long reconnects;
    private volatile long framesSent;
    private volatile long framesDropped;
    private volatile long bytesSentBefore;

    private volatile DestinationLink link;
    /** Completes, on the executor, once {@link #stop} ran and the link it closed (if any) reported closed. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** This destination's part of the stream's session record; taken on the executor at the first transition. */
    private DestinationHistory history;
    /** The next connect, while RETRYING or REJECTED. */
    private Timers.Cancellable retry;
    /** Resets the backoff once the link has been live for {@link #STABLE_AFTER}. */
    private Timers.Cancellable stableReset;
    /** Gives the link up when its buffer has been full for {@link #STALL_TIMEOUT}. */
    private Timers.Cancellable stall;
    /** Video is held back until a keyframe: after joining, or after frames had to be dropped. */
    private boolean awaitingKeyframe = true;
    /** Dropped frames may have included headers: resend them before the next keyframe. */
    private boolean resendHeaders;
    /** Hang-ups in answer to publish in a row: the first may be a crash, the second is a refusal. */
    private int hangUps;
    /** Hears the stream's codecs become known or change, and decides again ({@link #decide}). */
    private final StreamCodecs.Watcher codecWatcher = codecs -> decide();

    public DestinationRelay(LiveStream stream, DestinationTarget target, DestinationConnector connector) {
        this.stream = stream;
        this.target = target;
        this.connector = connector;
        this.executor = stream.executor();
        this.timers = connector.timers(executor);
        this.platformCounters = stream.counters().platform(target.platform());
    }

    public DestinationTarget target() {
        return target;
    }

    public DestinationState state() {
        return state;
    }

    public Instant since() {
        return since;
    }

    public String lastError() {
        return lastError;
    }

    public long reconnects() {
        return reconnects;
    }

    public long framesSent() {
        return framesSent;
    }

    public long framesDropped() {
        return framesDropped;
    }

    public long bytesSent() {
        DestinationLink current = link;
        return bytesSentBefore + (current == null ? 0 : current.bytesSent());
    }

    /** Outgoing bitrate, protocol overhead included, over the last second or more. */
    public double bitrateKbps() {
        return outgoing.kbps(bytesSent());
    }

    /** Whether a connection to the destination is still open (or opening). */
    public boolean hasOpenLink() {
        return link != null;
    }

    /** The open connection as its transport describes it (addresses, socket), or "none"; never a key. */
    public String linkDescription() {
        return String.valueOf(link == null ? "none" : link);
    }

    /**
     * A destination that takes any codec connects at once, as it always did: its handshake then
     * overlaps the encoder's first moments. One whose {@link CodecRules} could refuse the stream
     * waits in IDLE until the stream's codecs are known ({@link StreamCodecs#settled}: at the first
     * coded frame, a few milliseconds after the publish for OBS and ffmpeg, which send every
     * sequence header first): connecting before would publish to Twitch, say, an HEVC stream it
     * refuses, starting and ending a broadcast its followers are told about. It loses nothing by
     * waiting: it could not be sent a picture before the first keyframe anyway, and it joins from
     * the cached GOP. Waiting also lets its connect announce the codecs ({@code fourCcList}).
     */
    public void start() {
        onExecutor(() -> {
            if (state == DestinationState.STOPPED) {
                return;
            }
            stream.codecs().watch(codecWatcher);
            if (!target.codecs().restricts() || stream.codecs().settled()) {
                decide();
            } else {
                log.info("event=destination_waiting_for_codecs stream={} destination={}", stream.id(), target.id());
            }
        });
    }

    /**
     * The stream's codecs against what the destination takes, when it starts and whenever they
     * change: a codec it does not take holds it back (no connection, no retries) with the reason
     * as its last error; one it takes (again) connects. On the executor.
     */
    private void decide() {
        if (state == DestinationState.STOPPED || stream.isEnded()) {
            return;
        }
        StreamCodecs codecs = stream.codecs();
        // The tracks it is sent: a multitrack publish may carry H.264 in track 0 and HEVC in track 1.
        TrackSelection tracks = target.tracks();
        String refusal = target.codecs().refusal(codecs.video(tracks.videoTrack()), codecs.audio(tracks.audioTrack()));
        if (refusal != null) {
            if (state == DestinationState.INCOMPATIBLE) {
                lastError = refusal; // another codec it does not take either: say which
            } else {
                holdBack(refusal);
            }
        } else if (state == DestinationState.IDLE || state == DestinationState.INCOMPATIBLE) {
            connect();
        }
    }

    /** Stops sending and closes the link (unpublishing cleanly) for a stream it cannot take. */
    private void holdBack(String refusal) {
        cancelTimers();
        stream.detach(this);
        DestinationLink closing = link;
        // Forgotten before the close: its report (lost()) then finds it is not the current link.
        link = null;
        transition(DestinationState.INCOMPATIBLE, refusal);
        if (closing != null) {
            timeline.newSession();
            bytesSentBefore += closing.bytesSent();
            closing.close();
        }
    }

    /** The user or the publisher ended it: unpublish cleanly, never reconnect. */
    public void stop() {
        onExecutor(() -> {
            if (state == DestinationState.STOPPED) {
                return;
            }
            cancelTimers();
            stream.codecs().unwatch(codecWatcher);
            stream.detach(this);
            // STOPPED first: the link may report its close inline, and lost() must see it stopped.
            transition(DestinationState.STOPPED, null);
            if (link != null) {
                link.close();
            }
            // Read before the close is reported back: the link's bytes still count in bytesSent().
            history().relayStopped(this);
            if (link == null) {
                stopped.complete(null); // no link, or one that reported its close inline
            }
        });
    }

    /**
     * Completes once this relay was stopped and its link closed, after saying goodbye to the
     * destination (the link's own goodbye deadline bounds that): nothing is published there any
     * more. Completes on the stream's executor.
     */
    public CompletionStage<Void> stopped() {
        return stopped;
    }

    /**
     * From IDLE (started), RETRYING or REJECTED (the retry timer ran out), or INCOMPATIBLE (the
     * publisher changed to a codec the destination takes).
     */
    private void connect() {
        if (retry != null) {
            retry.cancel(); // run by the timer, or started early: either way it is spent
            retry = null;
        }
        if (state == DestinationState.STOPPED || state == DestinationState.CONNECTING
                || state == DestinationState.LIVE || stream.isEnded()) {
            return;
        }
        if (state != DestinationState.IDLE && state != DestinationState.INCOMPATIBLE) {
            reconnects++;
            platformCounters.reconnected();
        }
        transition(DestinationState.CONNECTING, null);
        link = connector.connect(target, executor, stream.codecs().enhancedFourCcs(target.tracks()), new LinkListener());
    }

    private final class LinkListener implements DestinationLink.Listener {
        @Override
        public void onLive(DestinationLink live) {
            // Always queued, never run inline: connect() may call back before it has returned the link.
            later(() -> {
                if (live != link || state != DestinationState.CONNECTING) {
                    return;
                }
                hangUps = 0;
                transition(DestinationState.LIVE, null);
                stream.attach(DestinationRelay.this);
                if (live != link || state != DestinationState.LIVE) {
                    return; // joining failed (failed() ran): the retry is scheduled, no reset wanted
                }
                stableReset = timers.after(STABLE_AFTER, () -> {
                    stableReset = null;
                    backoff.reset();
                });
            });
        }

        @Override
        public void onClosed(DestinationLink closed, Throwable cause) {
            later(() -> lost(closed, cause));
        }
    }

    /**
     * The link is gone (closed by either side, or given up on by us): detach it and either
     * reconnect after a backoff or, for a refusal, much later. A link that is no longer the
     * current one was handled already.
     */
    private void lost(DestinationLink closed, Throwable cause) {
        if (closed != link) {
            return;
        }
        stream.detach(this);
        bytesSentBefore += closed.bytesSent();
        link = null;
        cancelTimers();
        if (state == DestinationState.STOPPED) {
            stopped.complete(null);
            return;
        }
        timeline.newSession();
        hangUps = cause instanceof DestinationRejectedException rejected && rejected.isInferred() ? hangUps + 1 : 0;
        if (cause instanceof DestinationRejectedException && hangUps != 1) {
            platformCounters.destinationRejected();
            transition(DestinationState.REJECTED, cause.getMessage());
            scheduleRetry(REJECTED_RETRY);
        } else {
            // A first hang-up in answer to publish is retried like a network error: a
            // server restarting then looks the same as one refusing the key.
            platformCounters.destinationFailed();
            transition(DestinationState.RETRYING, describe(cause));
            scheduleRetry(Duration.ofMillis(backoff.nextDelayMillis()));
        }
    }

    @Override
    public void join(StreamSnapshot snapshot) {
        awaitingKeyframe = true;
        resendHeaders = false;
        cancelStall();
        // The whole snapshot goes out in as few writes as the socket takes.
        List<MediaMessage> all = snapshot.drain();
        for (int i = 0; i < all.size(); i++) {
            MediaMessage message = all.get(i);
            int given = message.refCnt();
            try {
                deliver(message, true);
            } catch (RuntimeException | Error e) {
                // The same rule as the stream's fan-out: a message left as it was handed over was
                // never taken; the rest were never handed over at all.
                if (message.refCnt() == given) {
                    message.release();
                }
                all.subList(i + 1, all.size()).forEach(MediaMessage::release);
                throw e;
            }
        }
        flush();
    }

    /**
     * Sending threw (the stream has detached us): the link is in an unknown state, so it goes the
     * way of a dropped connection, retried with backoff. The stream logs the returned text.
     */
    @Override
    public String failed(Throwable cause) {
        String error = target.streamKey().redact(cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        DestinationLink current = link;
        if (current != null && state != DestinationState.STOPPED) {
            try {
                current.abort(cause);
            } finally {
                lost(current, new SinkFailure(error, cause));
            }
        }
        return error;
    }

    /**
     * The same connection goes on (nothing is unpublished at the destination); only the picture
     * restarts: inter frames wait for the new publisher's first keyframe, and the metadata and
     * sequence headers it sends first pass as they come, ahead of that keyframe.
     */
    @Override
    public void publisherChanged() {
        awaitingKeyframe = true;
    }

    /**
     * The one decision of how a destination takes a continuing publisher's new sequence headers
     * (say a new resolution after the encoder reconnected): in-band, on the same connection, the
     * new header ahead of the new keyframe, as nginx-rtmp and ffmpeg take a mid-stream header
     * change. Should a platform not decode that, this is where the destination would be
     * reconnected cleanly instead (it then joins with the new headers).
     */
    @Override
    public void formatChanged() {
        awaitingKeyframe = true;
        log.info("event=destination_format_change stream={} destination={} how=in_band", stream.id(), target.id());
    }

    @Override
    public String sinkId() {
        return target.id();
    }

    /** A failed send, reported like network trouble (never as a refusal), its text already redacted. */
    private static final class SinkFailure extends Exception {
        SinkFailure(String redacted, Throwable cause) {
            super("sending failed: " + redacted, cause, false, false);
        }
    }

    @Override
    public void deliver(MediaMessage message) {
        deliver(message, false);
    }

    @Override
    public void deliverHeld(MediaMessage message) {
        deliver(message, true);
    }

    @Override
    public void flush() {
        DestinationLink current = link;
        if (current != null) {
            current.flush();
        }
    }

    private void deliver(MediaMessage message, boolean hold) {
        // The destination's track of a multitrack stream, as a single-track stream; the others
        // are not its tags at all (not drops).
        message = target.tracks().select(message);
        if (message == null) {
            return;
        }
        DestinationLink current = link;
        if (current == null || state != DestinationState.LIVE) {
            message.release();
            return;
        }
        watchForStall(current);
        boolean video = message.kind() == MediaKind.VIDEO;
        boolean header = message.isHeader();
        if (video && !header && awaitingKeyframe) {
            if (!message.isVideoKeyframe()) {
                drop(message);
                return;
            }
            if (!current.isWritable()) {
                drop(message);
                return;
            }
            awaitingKeyframe = false;
            if (resendHeaders) {
                resendHeaders = false;
                for (MediaMessage h : stream.retainedHeaders()) {
                    send(current, h, true);
                }
            }
        } else if (!current.isWritable()) {
            // A full outgoing buffer: drop rather than queue without bound, and restart the
            // picture at the next keyframe so the destination never decodes a broken GOP.
            if (video || header) {
                awaitingKeyframe = true;
                resendHeaders = true;
            }
            drop(message);
            return;
        }
        send(current, message, hold);
    }

    /**
     * Each tag offered looks at the buffer: found full, the stall timer starts; found draining, it
     * stops. A buffer still full when it fires means the destination is not reading.
     */
    private void watchForStall(DestinationLink current) {
        if (current.isWritable()) {
            cancelStall();
        } else if (stall == null) {
            stall = timers.after(STALL_TIMEOUT, () -> {
                stall = null;
                if (current == link && state == DestinationState.LIVE && !current.isWritable()) {
                    stalled(current);
                }
            });
        }
    }

    private void stalled(DestinationLink current) {
        TimeoutException reason = new TimeoutException(
                "destination stalled: outgoing buffer full for " + STALL_TIMEOUT.toSeconds() + " s");
        current.abort(reason);
        // Reconnect without waiting for the transport to report the close: a socket whose close
        // never completes must not keep the destination "live" and silent for good.
        lost(current, reason);
    }

    private void send(DestinationLink current, MediaMessage message, boolean hold) {
        long ts = message.isHeader()
                ? timeline.headerTime()
                : timeline.map(message.timestamp());
        if (message.kind() == MediaKind.VIDEO) {
            framesSent++;
        }
        platformCounters.addBytesOut(message.content().readableBytes());
        MediaMessage out = message.timestamp() == ts ? message : message.withTimestamp(ts);
        if (hold) {
            current.queue(out);
        } else {
            current.send(out);
        }
    }

    private void drop(MediaMessage message) {
        if (message.kind() == MediaKind.VIDEO) {
            framesDropped++;
            platformCounters.frameDropped();
        }
        message.release();
    }

    private void scheduleRetry(Duration delay) {
        retry = timers.after(delay, this::connect);
    }

    private void cancelStall() {
        if (stall != null) {
            stall.cancel();
            stall = null;
        }
    }

    /** Every timer this supervisor has: after this, none of its tasks is left scheduled. */
    private void cancelTimers() {
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        if (stableReset != null) {
            stableReset.cancel();
            stableReset = null;
        }
        cancelStall();
    }

    /** The one place the state changes; a change the transition table does not list throws. */
    private void transition(DestinationState next, String error) {
        DestinationState previous = state;
        DestinationTransitions.check(previous, next);
        state = next;
        since = Instant.now();
        if (error != null) {
            lastError = target.streamKey().redact(error);
        }
        log.info("event=destination_state stream={} destination={} from={} to={}{}", stream.id(), target.id(),
                previous, next, error == null ? "" : " error=\"" + lastError + "\"");
        history().moved(next.wireName(), error == null ? null : lastError);
    }

    /** On the executor: the stream's recorder is the loop's, like every other field here. */
    private DestinationHistory history() {
        if (history == null) {
            history = stream.session().destination(target.id(), target.displayName(), target.platform(), target.url());
            // Until it stops, what the session shows of this destination while live counts this relay's counters.
            history.relayStarted(this);
        }
        return history;
    }

    private String describe(Throwable cause) {
        if (cause == null) {
            return "connection closed by the destination";
        }
        String message = cause.getMessage();
        if (cause instanceof DestinationFailure || cause instanceof SinkFailure) {
            return message; // already the words to show
        }
        if (cause instanceof DestinationRejectedException) {
            return message + " (tried once more before it counts as a refusal)";
        }
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void later(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            log.debug("event=destination_event_dropped stream={} destination={} reason=executor_shut_down", stream.id(), target.id());
        }
    }

    private void onExecutor(Runnable task) {
        if (executor.inEventLoop()) {
            task.run();
        } else {
            executor.execute(task);
        }
    }

    /** For tests and stats: the stream this relay feeds. */
    public LiveStream stream() {
        return stream;
    }
}
