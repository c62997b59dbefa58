package io.streamhelper.relay.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.List;

/**
 * Splits messages into chunks. Headers are compressed per chunk stream (type 0 for the first
 * message or a change of message stream or a timestamp going back, type 1 when length or type
 * changes, type 2 otherwise; type 3 only for continuation chunks), extended timestamps are
 * written in full and repeated on type-3 chunks, as the 2012 spec, ffmpeg and OBS do.
 *
 * <p>Payloads are never copied: the output is a composite of small header slices and retained
 * slices of the message payload, so one video tag fanned out to a hundred destinations is still
 * one buffer in memory. An outgoing Set Chunk Size takes effect for the messages after it.
 */
public final class ChunkEncoder extends MessageToMessageEncoder<RtmpMessage> {
    private static final int DEFAULT_CHUNK_SIZE = 128;
    private static final long EXTENDED = 0xFFFFFF;

    private final IntObjectMap<LastHeader> sent = new IntObjectHashMap<>();
    private int chunkSize = DEFAULT_CHUNK_SIZE;

    private static final class LastHeader {
        long timestamp;
        int length;
        int typeId;
        int streamId;
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RtmpMessage msg, List<Object> out) {
        ByteBuf payload = msg.content();
        int length = payload.readableBytes();
        int csid = msg.chunkStreamId();
        long timestamp = msg.timestamp();

        LastHeader last = sent.get(csid);
        int fmt;
        if (last == null || last.streamId != msg.messageStreamId() || timestamp < last.timestamp) {
            fmt = 0;
        } else if (last.length != length || last.typeId != msg.typeId()) {
            fmt = 1;
        } else {
            fmt = 2;
        }
        long field = fmt == 0 ? timestamp : timestamp - last.timestamp;
        boolean extended = field >= EXTENDED;

        int chunks = Math.max(1, (length + chunkSize - 1) / chunkSize);
        int basic = basicHeaderLength(csid);
        int firstHeader = basic + (fmt == 0 ? 11 : fmt == 1 ? 7 : 3) + (extended ? 4 : 0);
        int continuationHeader = basic + (extended ? 4 : 0);
        ByteBuf headers = ctx.alloc().buffer(firstHeader + (chunks - 1) * continuationHeader);
        CompositeByteBuf chunked = ctx.alloc().compositeBuffer(chunks * 2);
        try {
            int offset = payload.readerIndex();
            for (int i = 0; i < chunks; i++) {
                int headerStart = headers.writerIndex();
                if (i == 0) {
                    writeBasicHeader(headers, fmt, csid);
                    headers.writeMedium((int) Math.min(field, EXTENDED));
                    if (fmt <= 1) {
                        headers.writeMedium(length);
                        headers.writeByte(msg.typeId());
                    }
                    if (fmt == 0) {
                        headers.writeIntLE(msg.messageStreamId());
                    }
                } else {
                    writeBasicHeader(headers, 3, csid);
                }
                if (extended) {
                    headers.writeInt((int) field);
                }
                chunked.addComponent(true, headers.retainedSlice(headerStart, headers.writerIndex() - headerStart));
                int size = Math.min(chunkSize, length - (offset - payload.readerIndex()));
                if (size > 0) {
                    chunked.addComponent(true, payload.retainedSlice(offset, size));
                    offset += size;
                }
            }
        } catch (RuntimeException e) {
            chunked.release();
            throw e;
        } finally {
            headers.release();
        }
        out.add(chunked);

        if (last == null) {
            last = new LastHeader();
            sent.put(csid, last);
        }
        last.timestamp = timestamp;
        last.length = length;
        last.typeId = msg.typeId();
        last.streamId = msg.messageStreamId();

        if (msg.typeId() == MessageType.SET_CHUNK_SIZE && length >= 4) {
            chunkSize = payload.getInt(payload.readerIndex()) & 0x7FFFFFFF;
        }
    }

    private static int basicHeaderLength(int csid) {
        return csid < 64 ? 1 : csid < 320 ? 2 : 3;
    }

    private static void writeBasicHeader(ByteBuf out, int fmt, int csid) {
        if (csid < 64) {
            out.writeByte((fmt << 6) | csid);
        } else if (csid < 320) {
            out.writeByte(fmt << 6);
            out.writeByte(csid - 64);
        } else {
            out.writeByte((fmt << 6) | 1);
            out.writeByte((csid - 64) & 0xFF);
            out.writeByte((csid - 64) >> 8);
        }
    }
}
