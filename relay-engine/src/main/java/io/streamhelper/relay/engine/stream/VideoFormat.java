package io.streamhelper.relay.engine.stream;

/**
 * Picture size and frame rate as the publisher announced them in its onMetaData (encoders such as
 * OBS and ffmpeg send width, height and framerate). Zero means "not announced". One immutable
 * value, so a reader on another thread never sees the width of one announcement with the height
 * of another.
 */
public record VideoFormat(int width, int height, double frameRate) {
    public static final VideoFormat UNKNOWN = new VideoFormat(0, 0, 0);

    public VideoFormat {
        // Metadata comes from strangers: keep only values a picture can have.
        width = width > 0 && width <= 16_384 ? width : 0;
        height = height > 0 && height <= 16_384 ? height : 0;
        frameRate = frameRate > 0 && frameRate <= 1_000 ? frameRate : 0;
    }
}
