package io.streamhelper.relay.engine.stream;

import io.netty.util.ReferenceCountUtil;
import io.streamhelper.relay.engine.media.MediaMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a destination joining a live stream is sent first, in order: metadata, the audio and video
 * sequence headers (each followed by its enhanced-RTMP configuration packet, if the publisher sent
 * one), then the tags of the current group of pictures (starting at its keyframe).
 * Every message is a retained duplicate owned by the holder: take them with {@link #drain()} or
 * release them with {@link #close()}.
 */
public final class StreamSnapshot implements AutoCloseable {
    private final List<MediaMessage> headers;
    private final List<MediaMessage> groupOfPictures;
    private boolean drained;

    StreamSnapshot(List<MediaMessage> headers, List<MediaMessage> groupOfPictures) {
        this.headers = headers;
        this.groupOfPictures = groupOfPictures;
    }

    /** Metadata and sequence headers. */
    public List<MediaMessage> headers() {
        return Collections.unmodifiableList(headers);
    }

    /** Tags since the last keyframe, keyframe first; empty when there is none cached. */
    public List<MediaMessage> groupOfPictures() {
        return Collections.unmodifiableList(groupOfPictures);
    }

    /** Hands every message over to the caller, which now owns them. */
    public List<MediaMessage> drain() {
        drained = true;
        List<MediaMessage> all = new ArrayList<>(headers.size() + groupOfPictures.size());
        all.addAll(headers);
        all.addAll(groupOfPictures);
        return all;
    }

    @Override
    public void close() {
        if (!drained) {
            drained = true;
            headers.forEach(ReferenceCountUtil::safeRelease);
            groupOfPictures.forEach(ReferenceCountUtil::safeRelease);
        }
    }
}
