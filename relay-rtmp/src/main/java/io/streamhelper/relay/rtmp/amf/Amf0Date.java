package io.streamhelper.relay.rtmp.amf;

/** An AMF0 date: milliseconds since the epoch and a time zone field that the spec says to ignore. */
public record Amf0Date(double epochMillis, short timeZone) {
}
