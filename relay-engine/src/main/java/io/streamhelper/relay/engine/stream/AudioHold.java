package io.streamhelper.relay.engine.stream;

/**
 * When a live stream lets audio frames wait for the next video frame, so that both reach each
 * destination in one write: for up to {@code millis}, and only while the stream is live on at
 * least {@code fromDestinations} destinations.
 *
 * <p>Each audio frame written on its own costs every destination a system call and a TCP push;
 * at a hundred destinations those writes are a large part of the relay's CPU, and holding audio
 * saves them at the price of up to one video frame interval of audio latency. At a handful of
 * destinations the same saving is a fraction of a percent of a core, not worth any latency, so
 * small fan-outs send every tag at once.
 */
public record AudioHold(long millis, int fromDestinations) {
    /** Every tag leaves at once, whatever the fan-out. */
    public static final AudioHold NONE = new AudioHold(0, 1);

    public AudioHold {
        if (millis < 0) {
            throw new IllegalArgumentException("audio hold cannot be negative");
        }
        if (fromDestinations < 1) {
            throw new IllegalArgumentException("audio hold must start from at least one destination");
        }
    }

    /** Whether audio waits in a stream live on {@code destinations} destinations. */
    boolean appliesTo(int destinations) {
        return millis > 0 && destinations >= fromDestinations;
    }
}
