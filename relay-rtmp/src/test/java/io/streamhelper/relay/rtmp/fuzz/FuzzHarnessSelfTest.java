package io.streamhelper.relay.rtmp.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

/**
 * A fuzz target that cannot fail finds nothing: each check of {@link IngestConnection} is shown
 * to fail when its rule is broken, by a handler placed in the real pipeline for the purpose.
 */
class FuzzHarnessSelfTest {
    private static final byte[] PUBLISH = ChunkedBytes.publishConversation();

    @Test
    void aForeignExceptionTypeIsReported() {
        IngestConnection connection = new IngestConnection(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                throw new IndexOutOfBoundsException("a bug, not a refusal");
            }
        });
        connection.feed(PUBLISH, 4095);
        AssertionError error = assertThrows(AssertionError.class, connection::closeAndCheck);
        assertTrue(error.getMessage().contains("not a clean refusal"), error.getMessage());
    }

    @Test
    void aLeakedBufferIsReported() {
        IngestConnection connection = new IngestConnection(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.alloc().buffer(100).writeZero(100); // never released
                ctx.fireChannelRead(msg);
            }
        });
        connection.feed(PUBLISH, 4095);
        AssertionError error = assertThrows(AssertionError.class, connection::closeAndCheck);
        assertTrue(error.getMessage().contains("never released"), error.getMessage());
    }

    @Test
    void memoryOutOfProportionToTheInputIsReported() {
        IngestConnection connection = new IngestConnection(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf big = ctx.alloc().buffer(4 << 20);
                big.release();
                ctx.fireChannelRead(msg);
            }
        });
        connection.feed(PUBLISH, 4095);
        AssertionError error = assertThrows(AssertionError.class, connection::closeAndCheck);
        assertTrue(error.getMessage().contains("at once after receiving"), error.getMessage());
    }
}
