package io.streamhelper.relay.rtmp.amf;

import java.util.LinkedHashMap;
import java.util.Map;

/** An AMF0 ECMA array (what onMetaData usually is): a map that is written back as an ECMA array. */
public final class Amf0EcmaArray extends LinkedHashMap<String, Object> {
    public Amf0EcmaArray() {
    }

    public Amf0EcmaArray(Map<String, Object> entries) {
        super(entries);
    }
}
