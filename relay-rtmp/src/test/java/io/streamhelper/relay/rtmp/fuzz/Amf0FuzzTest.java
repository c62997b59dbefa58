package io.streamhelper.relay.rtmp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.streamhelper.relay.rtmp.amf.Amf0Exception;
import io.streamhelper.relay.rtmp.amf.Amf0Reader;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import java.util.List;

/**
 * The AMF0 decoder on its own, as it reads every command and data message: any input is either
 * refused with an {@link Amf0Exception} (nothing else may escape: no index error, no
 * OutOfMemoryError from a length it trusted) or read whole, and what was read writes back to
 * bytes that read as the same values. The seeds are the command and metadata payloads of the
 * captured ffmpeg and relay-client publishes.
 */
class Amf0FuzzTest {

    @FuzzTest(maxDuration = "30s")
    void amf0Values(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        List<Object> values;
        try {
            values = Amf0Reader.readAll(in);
        } catch (Amf0Exception refused) {
            return;
        }
        assertEquals(0, in.readableBytes(), "readAll reads to the end");
        ByteBuf written = Unpooled.buffer();
        try {
            try {
                Amf0Writer.writeAll(written, values);
            } catch (IllegalArgumentException tooLong) {
                // Invalid UTF-8 in a property name is read as U+FFFD, which takes 3 bytes: a name
                // near 64 KiB can outgrow the 16-bit length field. The writer refuses it, as it should.
                return;
            }
            assertEquals(values, Amf0Reader.readAll(written), "read, written and read again");
        } finally {
            written.release();
        }
    }
}
