package io.streamhelper.relay.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.streamhelper.relay.rtmp.amf.Amf0EcmaArray;
import io.streamhelper.relay.rtmp.amf.Amf0Reader;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import io.streamhelper.relay.rtmp.message.Command;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mutations of a real publisher conversation (what our client and ffmpeg send:
 * Set Chunk Size, connect, createStream, publish, metadata, audio, video, an aggregate) fed to
 * the chunk decoder and on to command and metadata decoding. Every input must either decode or
 * fail with a DecoderException (which closes that one connection); never an index error, a
 * null pointer or an allocation beyond the limits, and never a leaked buffer (the leak check
 * extension fails the class otherwise). A fixed seed keeps any failure reproducible; coverage-
 * guided fuzzing (Jazzer) is the next step.
 */
class MutatedInputTest {
    private static final int ROUNDS = 3000;

    /** Decodes what the session would (commands, AMF0 data) and, like it, closes on any error. */
    private static final class Consumer extends SimpleChannelInboundHandler<RtmpMessage> {
        Throwable failure;

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            ctx.close();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RtmpMessage msg) {
            if (Command.isCommand(msg)) {
                Command.decode(msg);
            } else if (msg.typeId() == MessageType.DATA_AMF0) {
                Amf0Reader.readAll(msg.content().duplicate());
            }
        }
    }

    private static byte[] conversation() {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        List<RtmpMessage> messages = new ArrayList<>();
        messages.add(ProtocolControl.setChunkSize(encoder.alloc(), 256));
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("app", "live");
        connect.put("type", "nonprivate");
        connect.put("flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)");
        connect.put("tcUrl", "rtmp://127.0.0.1:1935/live");
        connect.put("fourCcList", List.of("av01", "hvc1"));
        messages.add(Command.of("connect", 1, connect).encode(encoder.alloc(), 3, 0));
        messages.add(Command.of("createStream", 4, (Object) null).encode(encoder.alloc(), 3, 0));
        messages.add(Command.of("publish", 5, null, "key", "live").encode(encoder.alloc(), 8, 1));
        ByteBuf meta = Unpooled.buffer();
        Amf0EcmaArray md = new Amf0EcmaArray();
        md.put("width", 1280.0);
        md.put("encoder", "Lavf59.27.100");
        Amf0Writer.writeAll(meta, "@setDataFrame", "onMetaData", md);
        messages.add(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0, meta));
        Random random = new Random(1);
        for (int i = 0; i < 6; i++) {
            byte[] video = new byte[300 + random.nextInt(700)];
            random.nextBytes(video);
            video[0] = (byte) (i == 0 ? 0x17 : 0x27);
            messages.add(new RtmpMessage(6, MessageType.VIDEO, 1, 33L * i + (i == 5 ? 0xFFFFFF : 0), Unpooled.wrappedBuffer(video)));
            messages.add(new RtmpMessage(4, MessageType.AUDIO, 1, 23L * i, Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 1, 2, 3})));
        }
        ByteBuf agg = Unpooled.buffer();
        agg.writeByte(9).writeMedium(3).writeMedium(500).writeByte(0).writeMedium(0).writeBytes(new byte[] {0x27, 1, 2}).writeInt(14);
        messages.add(new RtmpMessage(6, MessageType.AGGREGATE, 1, 400, agg));
        messages.forEach(encoder::writeOutbound);
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; b.release()) {
            wire.writeBytes(b);
        }
        encoder.finishAndReleaseAll();
        byte[] bytes = ByteBufUtil.getBytes(wire);
        wire.release();
        return bytes;
    }

    @Test
    void mutatedConversationsDecodeOrFailCleanly() {
        byte[] original = conversation();
        Random random = new Random(20261125);
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = mutate(original, random);
            Consumer session = new Consumer();
            EmbeddedChannel channel = new EmbeddedChannel(
                    new ChunkDecoder(new ChunkLimits(65536, 64 * 1024, 16)), new ProtocolControlHandler(), session);
            int at = 0;
            while (at < input.length && channel.isOpen()) {
                int n = Math.min(input.length - at, 1 + random.nextInt(300));
                channel.writeInbound(Unpooled.wrappedBuffer(input, at, n));
                at += n;
            }
            channel.finishAndReleaseAll();
            if (session.failure != null) {
                // ByteToMessageDecoder wraps anything a decoder throws in a DecoderException: only
                // our own, cause-less refusals count as clean.
                boolean clean = session.failure instanceof DecoderException && session.failure.getCause() == null;
                if (!clean) {
                    fail("round " + round + " threw " + session.failure + " for input " + ByteBufUtil.hexDump(input), session.failure);
                }
                refused++;
            }
        }
        assertTrue(refused > ROUNDS / 10, "the mutations reach the error paths: " + refused + " of " + ROUNDS);
    }

    /** Flips, overwrites, inserts, deletes or duplicates a few bytes, or truncates. */
    private static byte[] mutate(byte[] original, Random random) {
        List<Byte> bytes = new ArrayList<>(original.length + 16);
        for (byte b : original) {
            bytes.add(b);
        }
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && !bytes.isEmpty(); e++) {
            int at = random.nextInt(bytes.size());
            switch (random.nextInt(6)) {
                case 0 -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                case 1 -> bytes.set(at, (byte) random.nextInt(256));
                case 2 -> bytes.add(at, (byte) random.nextInt(256));
                case 3 -> bytes.remove(at);
                case 4 -> bytes.set(at, (byte) (random.nextBoolean() ? 0xFF : 0x00));
                default -> bytes.subList(at, bytes.size()).clear();
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return out;
    }
}
