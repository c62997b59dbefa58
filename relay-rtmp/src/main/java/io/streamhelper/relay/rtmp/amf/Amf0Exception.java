package io.streamhelper.relay.rtmp.amf;

import io.netty.handler.codec.DecoderException;

/** Malformed or hostile AMF0 input; the message names the problem (never a value). */
public final class Amf0Exception extends DecoderException {
    public Amf0Exception(String message) {
        super(message);
    }
}
