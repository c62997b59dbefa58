package io.streamhelper.relay.engine.stream;

import io.streamhelper.relay.engine.media.MediaMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The tags since the last video keyframe, so a destination that joins mid-stream starts with a
 * picture at once instead of waiting up to a whole keyframe interval. Bounded in bytes: a stream
 * whose keyframes are too far apart simply stops being cached until its next keyframe.
 */
final class GopCache {
    private final long maxBytes;
    private final List<MediaMessage> tags = new ArrayList<>();
    private long bytes;
    private boolean overflowed;

    GopCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Sees every live tag; keeps a retained duplicate of those that belong to the current GOP. */
    void offer(MediaMessage message) {
        if (message.isHeader()) {
            return;
        }
        if (message.isVideoKeyframe()) {
            clear();
            overflowed = false;
        } else if (tags.isEmpty() || overflowed) {
            return;
        }
        int size = message.content().readableBytes();
        if (bytes + size > maxBytes) {
            clear();
            overflowed = true;
            return;
        }
        tags.add(message.retainedDuplicate());
        bytes += size;
    }

    List<MediaMessage> retainedCopy() {
        List<MediaMessage> copy = new ArrayList<>(tags.size());
        for (MediaMessage tag : tags) {
            copy.add(tag.retainedDuplicate());
        }
        return copy;
    }

    long bytes() {
        return bytes;
    }

    void clear() {
        tags.forEach(MediaMessage::release);
        tags.clear();
        bytes = 0;
    }
}
