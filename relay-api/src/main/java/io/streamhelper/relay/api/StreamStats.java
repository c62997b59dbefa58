package io.streamhelper.relay.api;

import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.VideoFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One live stream in the stats: whether its encoder is connected, who publishes it, what it
 * carries, and where it goes. While {@code reconnecting}, {@code publisher} is the last encoder and
 * {@code graceEndsAt}/{@code graceSecondsLeft} say how much longer the relay waits for one.
 */
record StreamStats(
        String id,
        String name,
        String state,
        String graceEndsAt,
        Long graceSecondsLeft,
        long publisherReconnects,
        String publisher,
        String startedAt,
        long uptimeSeconds,
        Video video,
        Audio audio,
        long bitrateKbps,
        long bytesIn,
        List<Track> tracks,
        List<DestinationStats> destinations) {

    /**
     * Width and height as the publisher announced them (0 when it did not); {@code fps} is the
     * rate actually received, {@code declaredFps} the one the encoder announced;
     * {@code keyframeIntervalSeconds} the media time between the last two keyframes (null until two).
     */
    record Video(String codec, int width, int height, double fps, double declaredFps, Double keyframeIntervalSeconds) {
    }

    record Audio(String codec) {
    }

    /**
     * One track the publisher sends: a stream that is not multitrack has track 0 of each kind;
     * width and height are 0 where not known (track 0's come from onMetaData, other video
     * tracks' from their H.264 sequence header).
     */
    record Track(String kind, int id, String codec, int width, int height, long bitrateKbps) {
    }

    /** @param name the stream's name now (its grant's may be older) */
    static StreamStats of(LiveStream stream, String name, List<DestinationRelay> relays, Instant now) {
        VideoFormat format = stream.announcedFormat();
        Video video = new Video(CodecNames.video(stream.videoCodec()), format.width(), format.height(),
                round(stream.measuredFrameRate(), 10), round(format.frameRate(), 100), keyframeInterval(stream));
        OnAir onAir = OnAir.of(stream);
        return new StreamStats(
                stream.id(),
                name,
                onAir.state(),
                onAir.graceEndsAtText(),
                onAir.graceSecondsLeft(now),
                stream.publisherReconnects(),
                stream.publisherAddress(),
                stream.startedAt().toString(),
                Math.max(0, Duration.between(stream.startedAt(), now).toSeconds()),
                video,
                new Audio(CodecNames.audio(stream.audioCodec())),
                Math.round(stream.bitrateKbps()),
                stream.bytesIn(),
                stream.tracks().stream().map(t -> new Track(t.kind(), t.trackId(),
                        t.kind().equals("video") ? CodecNames.video(t.codec()) : CodecNames.audio(t.codec()),
                        t.width(), t.height(), Math.round(t.bitrateKbps()))).toList(),
                relays.stream().map(DestinationStats::of).toList());
    }

    private static Double keyframeInterval(LiveStream stream) {
        long millis = stream.keyframeIntervalMillis();
        return millis < 0 ? null : round(millis / 1000.0, 100);
    }

    private static double round(double value, int scale) {
        return Math.round(value * scale) / (double) scale;
    }
}
