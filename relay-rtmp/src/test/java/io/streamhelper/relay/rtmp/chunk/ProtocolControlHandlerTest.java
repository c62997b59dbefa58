package io.streamhelper.relay.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.streamhelper.relay.rtmp.message.ChunkStreamIds;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolControlHandlerTest {

    @Test
    void everyAcknowledgementIsPassedOnAsAnEventAndTheMessageEndsHere() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolControlHandler(), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        for (int i = 1; i <= 2; i++) {
            RtmpMessage ack = new RtmpMessage(ChunkStreamIds.PROTOCOL_CONTROL, MessageType.ACKNOWLEDGEMENT, 0, 0,
                    Unpooled.buffer(4).writeInt(i * 1_000_000));
            channel.writeInbound(ack);
            assertEquals(0, ack.refCnt(), "released where it ended");
        }
        assertEquals(List.of(PeerAcknowledged.INSTANCE, PeerAcknowledged.INSTANCE), events);
        assertNull(channel.readInbound(), "protocol control goes no further");
        channel.finishAndReleaseAll();
    }
}
