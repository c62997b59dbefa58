package io.streamhelper.relay.engine.destination;

import io.streamhelper.relay.engine.media.TrackSelection;
import io.streamhelper.relay.engine.secret.Secret;
import java.util.Objects;

/**
 * Where one destination publishes: an RTMP or RTMPS server URL ({@code rtmp[s]://host[:port]/app})
 * and the stream key to publish under. The id is what logs and stats name it by; the platform
 * ({@code twitch}, {@code youtube}, {@code facebook}, {@code kick}, {@code custom}) is for stats
 * and metrics; the key is a {@link Secret} and prints as {@code ***}. {@code codecs} says which
 * codecs it takes (the platform's, or what the user restricted it to; {@link CodecRules#ANY}).
 * The tracks are which video and audio track of a multitrack stream it is sent
 * ({@link TrackSelection#DEFAULT}: track 0); the codec rules judge the codec of those tracks.
 */
public record DestinationTarget(String id, String displayName, String url, Secret streamKey, String platform,
                                CodecRules codecs, TrackSelection tracks) {
    public DestinationTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(streamKey, "streamKey");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(codecs, "codecs");
        Objects.requireNonNull(tracks, "tracks");
    }

    public DestinationTarget(String id, String displayName, String url, Secret streamKey, String platform,
                             CodecRules codecs) {
        this(id, displayName, url, streamKey, platform, codecs, TrackSelection.DEFAULT);
    }

    public DestinationTarget(String id, String displayName, String url, Secret streamKey, String platform,
                             TrackSelection tracks) {
        this(id, displayName, url, streamKey, platform, CodecRules.ANY, tracks);
    }

    public DestinationTarget(String id, String displayName, String url, Secret streamKey, String platform) {
        this(id, displayName, url, streamKey, platform, CodecRules.ANY, TrackSelection.DEFAULT);
    }

    public DestinationTarget(String id, String displayName, String url, Secret streamKey) {
        this(id, displayName, url, streamKey, "custom");
    }
}
