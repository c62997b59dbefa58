package io.streamhelper.relay.engine.destination;

import io.streamhelper.relay.engine.secret.Secret;
import java.util.Objects;

/**
 * Where one destination publishes: an RTMP or RTMPS server URL ({@code rtmp[s]://host[:port]/app})
 * and the stream key to publish under. The id is what logs and stats name it by; the platform
 * ({@code twitch}, {@code youtube}, {@code facebook}, {@code kick}, {@code custom}) is for stats
 * and metrics; the key is a {@link Secret} and prints as {@code ***}. {@code codecs} says which
 * codecs it takes (the platform's, or what the user restricted it to; {@link CodecRules#ANY}).
 */
public record DestinationTarget(String id, String displayName, String url, Secret streamKey, String platform,
                                CodecRules codecs) {
    public DestinationTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(streamKey, "streamKey");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(codecs, "codecs");
    }

    public DestinationTarget(String id, String displayName, String url, Secret streamKey, String platform) {
        this(id, displayName, url, streamKey, platform, CodecRules.ANY);
    }

    public DestinationTarget(String id, String displayName, String url, Secret streamKey) {
        this(id, displayName, url, streamKey, "custom");
    }
}
