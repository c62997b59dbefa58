package io.streamhelper.relay.engine.stream;

/**
 * One audio or video track of a live stream as the stats and the API show it: the track id
 * (0 for a stream that is not multitrack), its codec, the picture size where it is known (zero
 * otherwise), and its incoming bitrate.
 */
public record StreamTrack(String kind, int trackId, String codec, int width, int height, double bitrateKbps) {
}
