package io.streamhelper.relay.rtmp.ingest.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The guard follows TLS record boundaries however the bytes are cut: a header split over reads,
 * a body spanning several. Real handshakes and renegotiations are IngestTlsServerTest's.
 */
class PostHandshakeGuardTest {
    private final PostHandshakeGuard guard = new PostHandshakeGuard();
    private final EmbeddedChannel channel = new EmbeddedChannel(guard);

    @Test
    void applicationDataAndAlertsPassByteByByteAfterTheHandshake() {
        feedByteByByte(record(22, 300)); // the ClientHello: before the handshake anything passes
        guard.handshakeDone();
        feedByteByByte(record(23, 1000));
        feedByteByByte(record(21, 2));
        feedByteByByte(record(23, 0));
        assertTrue(channel.isOpen());
        assertEquals(5 + 300 + 5 + 1000 + 5 + 2 + 5, drainInbound(), "every byte went on, unchanged in number");
    }

    @Test
    void aHandshakeRecordAfterTheHandshakeClosesTheConnectionEvenWhenItsHeaderIsSplit() {
        guard.handshakeDone();
        byte[] data = record(23, 40);
        byte[] hello = record(22, 200);
        // One read ends inside the application data; the next holds its end and 3 bytes of the hello's header.
        channel.writeInbound(Unpooled.wrappedBuffer(data, 0, 30));
        ByteBuf tail = Unpooled.buffer().writeBytes(data, 30, data.length - 30).writeBytes(hello, 0, 3);
        channel.writeInbound(tail);
        assertTrue(channel.isOpen(), "3 bytes are not yet a header");
        ByteBuf rest = Unpooled.wrappedBuffer(hello, 3, hello.length - 3);
        channel.writeInbound(rest);
        assertFalse(channel.isOpen(), "the renegotiation closed the connection");
        assertEquals(0, rest.refCnt(), "the refused read was released, not passed on");
        assertEquals(data.length + 3, drainInbound(), "what came before the hello's last header bytes went on");
        channel.finishAndReleaseAll();
    }

    @Test
    void aChangeCipherSpecAfterTheHandshakeClosesTheConnection() {
        guard.handshakeDone();
        channel.writeInbound(Unpooled.wrappedBuffer(record(20, 1)));
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
    }

    @Test
    void aRecordLongerThanTlsAllowsClosesTheConnectionBeforeTheHandshakeToo() {
        feedByteByByte(record(22, PostHandshakeGuard.MAX_RECORD)); // the largest a record may be passes
        assertTrue(channel.isOpen());
        byte[] tooLong = {0x16, 3, 1, (byte) 0xff, (byte) 0xff};
        channel.writeInbound(Unpooled.wrappedBuffer(tooLong));
        assertFalse(channel.isOpen());
        assertEquals(5 + PostHandshakeGuard.MAX_RECORD, drainInbound());
    }

    @Test
    void bytesThatAreNotTlsAreLeftToTheSslHandler() {
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3; // plain RTMP: the SslHandler says not_tls, whatever the "length" bytes hold
        c0c1[3] = (byte) 0xff;
        c0c1[4] = (byte) 0xff;
        channel.writeInbound(Unpooled.wrappedBuffer(c0c1));
        assertTrue(channel.isOpen());
        assertEquals(1537, drainInbound());
    }

    private void feedByteByByte(byte[] bytes) {
        for (byte b : bytes) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
    }

    private int drainInbound() {
        int bytes = 0;
        for (ByteBuf buf = channel.readInbound(); buf != null; buf = channel.readInbound()) {
            bytes += buf.readableBytes();
            buf.release();
        }
        return bytes;
    }

    /** A TLS record: type, version 3.3, length, then {@code length} filler bytes (0x16 among them, to mislead a careless scan). */
    private static byte[] record(int type, int length) {
        byte[] record = new byte[5 + length];
        record[0] = (byte) type;
        record[1] = 3;
        record[2] = 3;
        record[3] = (byte) (length >> 8);
        record[4] = (byte) length;
        for (int i = 5; i < record.length; i++) {
            record[i] = (byte) 0x16;
        }
        return record;
    }
}
