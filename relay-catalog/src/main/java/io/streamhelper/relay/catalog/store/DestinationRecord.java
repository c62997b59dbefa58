package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.time.Instant;
import java.util.List;

/**
 * One destination of a stream as stored. {@code platform} is the wire name ({@code twitch},
 * {@code youtube}, {@code facebook}, {@code kick}, {@code custom}); the stream key is decrypted
 * only into a {@link Secret}, and by the store only when that Secret is first used (listings never
 * decrypt). Deleted destinations are never returned by the store. {@code videoCodecs} are the
 * FourCCs the user restricted it to; empty when not restricted (the platform's own list applies).
 */
public record DestinationRecord(long id, long streamId, long ownerId, String platform, boolean enabled,
                                String rtmpUrl, Secret streamKey, String displayName,
                                Instant createdAt, Instant updatedAt, List<String> videoCodecs) {
    public DestinationRecord {
        videoCodecs = List.copyOf(videoCodecs);
    }

    /** Not restricted to any video codecs. */
    public DestinationRecord(long id, long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                             Secret streamKey, String displayName, Instant createdAt, Instant updatedAt) {
        this(id, streamId, ownerId, platform, enabled, rtmpUrl, streamKey, displayName, createdAt, updatedAt, List.of());
    }
}
