package io.streamhelper.relay.catalog.store;

import io.streamhelper.relay.engine.secret.Secret;
import java.time.Instant;
import java.util.List;

/**
 * One destination of a stream as stored. {@code platform} is the wire name ({@code twitch},
 * {@code youtube}, {@code facebook}, {@code kick}, {@code custom}); the stream key is decrypted
 * only into a {@link Secret}, and by the store only when that Secret is first used (listings never
 * decrypt). Deleted destinations are never returned by the store. {@code videoTrack} and
 * {@code audioTrack} are the tracks of a multitrack publish it is sent (0: the ordinary one).
 * {@code videoCodecs} are the FourCCs the user restricted it to; empty when not restricted (the
 * platform's own list applies).
 */
public record DestinationRecord(long id, long streamId, long ownerId, String platform, boolean enabled,
                                String rtmpUrl, Secret streamKey, String displayName,
                                Instant createdAt, Instant updatedAt, int videoTrack, int audioTrack,
                                List<String> videoCodecs) {
    public DestinationRecord {
        videoCodecs = List.copyOf(videoCodecs);
    }

    /** Track 0 of each kind, not restricted to any video codecs. */
    public DestinationRecord(long id, long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                             Secret streamKey, String displayName, Instant createdAt, Instant updatedAt) {
        this(id, streamId, ownerId, platform, enabled, rtmpUrl, streamKey, displayName, createdAt, updatedAt, 0, 0,
                List.of());
    }

    /** Track 0 of each kind. */
    public DestinationRecord(long id, long streamId, long ownerId, String platform, boolean enabled, String rtmpUrl,
                             Secret streamKey, String displayName, Instant createdAt, Instant updatedAt,
                             List<String> videoCodecs) {
        this(id, streamId, ownerId, platform, enabled, rtmpUrl, streamKey, displayName, createdAt, updatedAt, 0, 0,
                videoCodecs);
    }
}
