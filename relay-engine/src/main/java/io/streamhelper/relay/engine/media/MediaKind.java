package io.streamhelper.relay.engine.media;

/** What an FLV tag carries, as far as the relay needs to know. */
public enum MediaKind {
    AUDIO,
    VIDEO,
    /** The stream's onMetaData (the AMF0 values "onMetaData", object), kept for late joiners. */
    METADATA,
    /** Any other script data (cue points, captions): forwarded as it came, never cached. */
    DATA
}
