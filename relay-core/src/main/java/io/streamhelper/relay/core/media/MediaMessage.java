package io.streamhelper.relay.core.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One FLV tag on its way from a publisher to its destinations. Immutable apart from the
 * reference count of its payload, which every destination shares: fan-out hands each one a
 * {@link #retainedDuplicate()}, never a copy.
 *
 * <p>The timestamp is the RTMP one: milliseconds, unsigned 32 bits, wrapping after ~49 days.
 */
public final class MediaMessage extends DefaultByteBufHolder {
    private final MediaKind kind;
    private final long timestamp;

    public MediaMessage(MediaKind kind, long timestamp, ByteBuf payload) {
        super(payload);
        this.kind = kind;
        this.timestamp = timestamp & 0xFFFFFFFFL;
    }

    public MediaKind kind() {
        return kind;
    }

    public long timestamp() {
        return timestamp;
    }

    public boolean isVideoKeyframe() {
        return kind == MediaKind.VIDEO && FlvTags.isVideoKeyframe(content());
    }

    public boolean isSequenceHeader() {
        return switch (kind) {
            case VIDEO -> FlvTags.isVideoSequenceHeader(content());
            case AUDIO -> FlvTags.isAudioSequenceHeader(content());
            default -> false;
        };
    }

    /** The same payload, retained, under another timestamp: how a destination rebases time. */
    public MediaMessage retainedWithTimestamp(long newTimestamp) {
        return new MediaMessage(kind, newTimestamp, content().retainedDuplicate());
    }

    @Override
    public MediaMessage replace(ByteBuf content) {
        return new MediaMessage(kind, timestamp, content);
    }

    @Override
    public MediaMessage retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public MediaMessage duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public MediaMessage copy() {
        return replace(content().copy());
    }

    @Override
    public MediaMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public MediaMessage retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public MediaMessage touch() {
        super.touch();
        return this;
    }

    @Override
    public MediaMessage touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        String size = refCnt() > 0 ? content().readableBytes() + " bytes" : "released";
        return "MediaMessage(" + kind + ", ts=" + timestamp + ", " + size + ")";
    }
}
