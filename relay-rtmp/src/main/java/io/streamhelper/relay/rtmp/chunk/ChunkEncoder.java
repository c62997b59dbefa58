package io.streamhelper.relay.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;

/**
 * Splits messages into chunks. Headers are compressed per chunk stream (type 0 for the first
 * message or a change of message stream or a timestamp going back, type 1 when length or type
 * changes, type 2 otherwise; type 3 only for continuation chunks), extended timestamps are
 * written in full and repeated on type-3 chunks, as the 2012 spec, ffmpeg and OBS do.
 *
 * <p>Payloads are never copied: the output is a composite of small header slices and retained
 * slices of the message payload, so one video tag fanned out to a hundred destinations is still
 * one buffer in memory. An outgoing Set Chunk Size takes effect for the messages after it.
 *
 * <p>A {@link PrechunkedMessage} carries a tag already chunked once for many destinations (a
 * type-1 header with a timestamp delta, then type-3 continuations). The encoder sends those bytes
 * as they are when they are exactly what it would have framed here, i.e. when this connection's
 * previous message on the chunk stream was on the same message stream, {@link #deltaFor} that
 * many milliseconds earlier, under the same chunk size; otherwise it chunks the message itself.
 */
public final class ChunkEncoder extends ChannelOutboundHandlerAdapter {
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

    /**
     * The timestamp delta a message at {@code timestamp} on {@code csid} would carry in a type-1
     * header on this connection, or -1 when it needs a full (type-0) or extended header. Only
     * meaningful on the channel's event loop.
     */
    public long deltaFor(int csid, int messageStreamId, long timestamp) {
        LastHeader last = sent.get(csid);
        if (needsFullHeader(last, messageStreamId, timestamp)) {
            return -1;
        }
        long delta = timestamp - last.timestamp;
        return delta < EXTENDED ? delta : -1;
    }

    /**
     * Chunks {@code payload} once into one contiguous buffer that any connection may send after a
     * message on the same chunk stream {@code delta} ms earlier: a type-1 header, then type-3
     * continuation headers every {@code chunkSize} bytes. Copying the payload once here is what
     * lets each destination write a single buffer instead of a composite of 2 x chunks pieces.
     */
    public static ByteBuf chunkOnce(ByteBufAllocator alloc, int csid, int typeId, long delta, int chunkSize, ByteBuf payload) {
        if (delta < 0 || delta >= EXTENDED) {
            throw new IllegalArgumentException("delta " + delta + " does not fit a type-1 header");
        }
        int length = payload.readableBytes();
        int chunks = Math.max(1, (length + chunkSize - 1) / chunkSize);
        int basic = basicHeaderLength(csid);
        ByteBuf out = alloc.directBuffer(basic + 7 + (chunks - 1) * basic + length);
        try {
            writeBasicHeader(out, 1, csid);
            out.writeMedium((int) delta);
            out.writeMedium(length);
            out.writeByte(typeId);
            int offset = payload.readerIndex();
            for (int i = 0; i < chunks; i++) {
                if (i > 0) {
                    writeBasicHeader(out, 3, csid);
                }
                int size = Math.min(chunkSize, length - (offset - payload.readerIndex()));
                out.writeBytes(payload, offset, size);
                offset += size;
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof PrechunkedMessage prechunked) {
            writePrechunked(ctx, prechunked, promise);
        } else if (msg instanceof RtmpMessage message) {
            ByteBuf chunked;
            try {
                chunked = encode(ctx.alloc(), message);
            } catch (RuntimeException e) {
                promise.tryFailure(new EncoderException(e));
                return;
            } finally {
                message.release();
            }
            ctx.write(chunked, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void writePrechunked(ChannelHandlerContext ctx, PrechunkedMessage prechunked, ChannelPromise promise) {
        RtmpMessage message = prechunked.message();
        boolean fits = prechunked.chunkSize() == chunkSize
                && deltaFor(message.chunkStreamId(), message.messageStreamId(), message.timestamp()) == prechunked.delta();
        if (!fits) {
            RtmpMessage alone = message.retain();
            prechunked.release();
            write(ctx, alone, promise);
            return;
        }
        remember(sent.get(message.chunkStreamId()), message, message.content().readableBytes());
        ByteBuf chunks = prechunked.chunks().retain();
        prechunked.release();
        ctx.write(chunks, promise);
    }

    private ByteBuf encode(ByteBufAllocator alloc, RtmpMessage msg) {
        ByteBuf payload = msg.content();
        int length = payload.readableBytes();
        int csid = msg.chunkStreamId();
        long timestamp = msg.timestamp();

        LastHeader last = sent.get(csid);
        int fmt;
        if (needsFullHeader(last, msg.messageStreamId(), timestamp)) {
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
        ByteBuf headers = alloc.buffer(firstHeader + (chunks - 1) * continuationHeader);
        CompositeByteBuf chunked = alloc.compositeBuffer(chunks * 2);
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
        remember(last, msg, length);
        if (msg.typeId() == MessageType.SET_CHUNK_SIZE && length >= 4) {
            chunkSize = payload.getInt(payload.readerIndex()) & 0x7FFFFFFF;
        }
        return chunked;
    }

    /** Type 0: nothing sent on this chunk stream yet, another message stream, or time going back. */
    private static boolean needsFullHeader(LastHeader last, int messageStreamId, long timestamp) {
        return last == null || last.streamId != messageStreamId || timestamp < last.timestamp;
    }

    /** Records what was just framed on the message's chunk stream; {@code last} is its entry, or null. */
    private void remember(LastHeader last, RtmpMessage msg, int length) {
        if (last == null) {
            last = new LastHeader();
            sent.put(msg.chunkStreamId(), last);
        }
        last.timestamp = msg.timestamp();
        last.length = length;
        last.typeId = msg.typeId();
        last.streamId = msg.messageStreamId();
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
