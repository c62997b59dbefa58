package io.streamhelper.relay.engine.media;

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
    private final FanOutScope scope;

    public MediaMessage(MediaKind kind, long timestamp, ByteBuf payload) {
        this(kind, timestamp, payload, null);
    }

    private MediaMessage(MediaKind kind, long timestamp, ByteBuf payload, FanOutScope scope) {
        super(payload);
        this.kind = kind;
        this.timestamp = timestamp & 0xFFFFFFFFL;
        this.scope = scope;
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

    /**
     * An enhanced-RTMP packet that configures the media after it without being media: the video
     * Metadata packet (HDR colour) or the audio MultichannelConfig. Kept with the sequence headers
     * for joiners, and passed to a destination even while it waits for a keyframe.
     */
    public boolean isCodecConfig() {
        return switch (kind) {
            case VIDEO -> FlvTags.isVideoMetadata(content());
            case AUDIO -> FlvTags.isAudioMultichannelConfig(content());
            default -> false;
        };
    }

    /**
     * What a decoder needs before the media and a joiner is sent from the stream's cache: the
     * onMetaData, sequence headers and {@linkplain #isCodecConfig codec configuration}. Never
     * held back, never part of a GOP, stamped with the destination's header time.
     */
    public boolean isHeader() {
        return kind == MediaKind.METADATA || isSequenceHeader() || isCodecConfig();
    }

    /**
     * The fan-out this copy of the tag belongs to, where a protocol may share its framing of the
     * tag between destinations; null outside one. Kept by every duplicate and rebased copy.
     */
    public FanOutScope fanOutScope() {
        return scope;
    }

    /** A retained duplicate handed out within {@code fanOut}. */
    public MediaMessage retainedDuplicateIn(FanOutScope fanOut) {
        return new MediaMessage(kind, timestamp, content().retainedDuplicate(), fanOut);
    }

    /**
     * This message's payload reference, moved under another timestamp: how a destination rebases
     * time. Like {@link #replace}, it neither retains nor duplicates: the caller hands its
     * reference over and must not use this message afterwards. That is one derived buffer fewer
     * per destination and tag, which at a hundred destinations shows in the relay's CPU.
     */
    public MediaMessage withTimestamp(long newTimestamp) {
        return new MediaMessage(kind, newTimestamp, content(), scope);
    }

    @Override
    public MediaMessage replace(ByteBuf content) {
        return new MediaMessage(kind, timestamp, content, scope);
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
