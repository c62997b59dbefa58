package io.streamhelper.relay.engine.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Tag bodies captured from ffmpeg 8.1 (see the README beside them). */
public final class Captures {
    private Captures() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = Captures.class.getResourceAsStream("multitrack/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ByteBuf tag(String name) {
        return Unpooled.wrappedBuffer(bytes(name));
    }
}
