package io.streamhelper.relay.rtmp.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the fuzzers found, as readable tests. The minimised inputs themselves are replayed by the
 * fuzz tests in regression mode (the crash-* files in their Inputs folders).
 */
class FuzzFindingsTest {

    /**
     * IngestChunkStreamFuzzTest, first minutes: a message buffer was allocated at the size its
     * header announced, so 64 chunk streams each announcing 8 MiB (the limits) in one 128-byte
     * chunk made the server hold 512 MiB for 9 KB received. Now a message holds what arrived.
     * (From a publisher that is live: before its publish, a connection may open 8 chunk streams.)
     */
    @Test
    void messagesAnnouncedButNotSentCostOnlyWhatArrived() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int csid = 3; csid < 3 + 60; csid++) {
            wire.write(csid);                      // basic header: format 0, chunk stream csid
            wire.writeBytes(new byte[] {0, 0, 0}); // timestamp
            wire.writeBytes(new byte[] {(byte) 0x80, 0, 0}); // length 8 MiB, the limit
            wire.write(9);                         // video
            wire.writeBytes(new byte[] {1, 0, 0, 0}); // message stream 1
            wire.writeBytes(new byte[128]);        // the first chunk, and nothing more
        }
        IngestConnection connection = new IngestConnection();
        connection.feed(ChunkedBytes.publishConversation(), 4095);
        assertTrue(connection.publishing());
        connection.feed(wire.toByteArray(), 4095);
        assertTrue(connection.isOpen(), "within the limits: nothing to refuse yet");
        connection.closeAndCheck(); // memory held stays proportional to the 8.6 KB received
    }

    /**
     * IngestChunkStreamFuzzTest, second run: {@code @setDataFrame} followed by a value that is not
     * AMF0 leaked the metadata message's buffer (it was retained before the second value was
     * read), 309 bytes per such message, for as long as the publisher kept sending them.
     */
    @Test
    void setDataFrameFollowedByBrokenAmfClosesTheConnectionAndReleasesTheMessage() {
        ByteBuf payload = Unpooled.buffer();
        Amf0Writer.write(payload, "@setDataFrame");
        payload.writeByte(0x55); // no such AMF0 marker
        byte[] metadata = ChunkedBytes.encode(List.of(new RtmpMessage(4, MessageType.DATA_AMF0, 1, 0, payload)));
        IngestConnection connection = new IngestConnection();
        connection.feed(ChunkedBytes.publishConversation(), 4095);
        assertTrue(connection.publishing());
        connection.feed(metadata, 4095);
        assertFalse(connection.isOpen(), "broken metadata closes the connection");
        connection.closeAndCheck(); // and leaks nothing
    }
}
