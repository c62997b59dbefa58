package io.streamhelper.relay.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.List;

/**
 * Reassembles RTMP messages from the chunk stream (RTMP spec 5.3): all four chunk header formats,
 * 1–3 byte basic headers, extended timestamps (also the 4 bytes that type-3 chunks repeat), Set
 * Chunk Size and Abort applied as they arrive, aggregate messages split into their tags.
 *
 * <p>A chunk is decoded only once it is whole: the header is parsed into locals and nothing is
 * committed until its payload is readable, so input can arrive in any fragments, byte by byte
 * included. What the cumulation holds is therefore bounded by one chunk, and what a message
 * holds by {@link ChunkLimits#maxMessageSize()} and by what actually arrived of it; breaking a limit closes the connection with a
 * {@link DecoderException} naming it.
 *
 * <p>On the ingest, what all partial messages of a connection hold together is bounded too
 * ({@link MessageBufferLimits}): tightly until {@link #publishGranted()}, then per connection and
 * by the server's {@link MessageBufferBudget}. Those limits count the buffers' capacity, which is
 * what the memory costs (a buffer grows by doubling), reserved before a buffer grows.
 *
 * <p>Where the buffers come from: until the publish is granted, from unpooled heap buffers. The
 * channel's pooled direct allocator keeps memory it once took for later buffers: in
 * HostileClientsTest's keyless attack on the code before these limits, Netty 4.2's adaptive
 * allocator still held 139 of its 216 MiB peak of direct memory when the attackers' sockets had
 * closed, and the process 478 MiB resident against 265 before; alone, allocating and releasing
 * 200 MiB of 1 MiB buffers twice left 120-210 MiB more resident (glibc keeps freed memory too).
 * A flood of clients without a key would leave the server that much bigger. Unpooled heap
 * buffers go back to the garbage collector, inside -Xmx, and are small here (64 KiB per connection
 * at most). After the grant a real publisher's messages come from the channel's allocator, as
 * before: they are media that is written on to every destination, where direct buffers pay.
 */
public final class ChunkDecoder extends ByteToMessageDecoder {
    private static final int DEFAULT_CHUNK_SIZE = 128;
    private static final int EXTENDED = 0xFFFFFF;

    private final ChunkLimits limits;
    private final MessageBufferLimits buffers;
    private final MessageBufferBudget budget;
    private final IntObjectMap<ChunkStream> streams = new IntObjectHashMap<>();
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private long bytesReceived;
    /** False on the ingest until the session grants a publish; true from the start elsewhere. */
    private boolean granted;
    /** Capacity of this connection's partial messages, all reserved from {@link #budget}. */
    private long held;
    /** A limit was broken: the connection is closing, nothing more is decoded (so it is reported once). */
    private boolean broken;

    public ChunkDecoder() {
        this(ChunkLimits.DEFAULT);
    }

    /** Without the buffer limits of the ingest: for the destination client, whose peer is a server we chose. */
    public ChunkDecoder(ChunkLimits limits) {
        this.limits = limits;
        this.buffers = null;
        this.budget = MessageBufferBudget.unlimited();
        this.granted = true;
    }

    /** For an ingest connection: the tight limits apply until {@link #publishGranted()}. */
    public ChunkDecoder(ChunkLimits limits, MessageBufferLimits buffers, MessageBufferBudget budget) {
        this.limits = limits;
        this.buffers = buffers;
        this.budget = budget;
        this.granted = false;
    }

    /**
     * The session granted a publish: from now on the per-connection and server-wide limits apply,
     * not the ones for a connection without a key. Call on the channel's event loop.
     */
    public void publishGranted() {
        granted = true;
    }

    /** Capacity held in this connection's partial messages. */
    public long heldBytes() {
        return held;
    }

    /** Everything decoded so far, for Acknowledgements. */
    public long bytesReceived() {
        return bytesReceived;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Per chunk stream: the last header, as later compressed headers inherit from it. */
    private static final class ChunkStream {
        long timestamp;
        /** The last timestamp field as sent: absolute after type 0, a delta after types 1 and 2. */
        long timestampField;
        int length;
        int typeId;
        int streamId;
        boolean extended;
        ByteBuf partial;
        /** Of {@link #held}, what {@link #partial} accounts for. */
        int reserved;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int start = in.readerIndex();
            boolean whole;
            try {
                whole = decodeChunk(ctx, in, out);
            } catch (IngestLimitException e) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
            if (!whole) {
                in.readerIndex(start);
                return;
            }
            bytesReceived += in.readerIndex() - start;
        }
    }

    /** Decodes one whole chunk, or returns false (leaving state untouched) when more input is needed. */
    private boolean decodeChunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int first = in.readUnsignedByte();
        int fmt = first >>> 6;
        int csid = first & 0x3F;
        if (csid == 0) {
            if (!in.isReadable()) {
                return false;
            }
            csid = 64 + in.readUnsignedByte();
        } else if (csid == 1) {
            if (in.readableBytes() < 2) {
                return false;
            }
            csid = 64 + in.readUnsignedByte() + (in.readUnsignedByte() << 8);
        }
        ChunkStream stream = streams.get(csid);
        if (stream == null && fmt != 0) {
            throw new DecoderException("chunk stream " + csid + " starts with a type " + fmt + " header");
        }
        int headerBytes = fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0;
        if (in.readableBytes() < headerBytes) {
            return false;
        }
        long field = 0;
        int length = stream == null ? 0 : stream.length;
        int typeId = stream == null ? 0 : stream.typeId;
        int streamId = stream == null ? 0 : stream.streamId;
        if (fmt <= 2) {
            field = in.readUnsignedMedium();
        }
        if (fmt <= 1) {
            length = in.readUnsignedMedium();
            typeId = in.readUnsignedByte();
        }
        if (fmt == 0) {
            streamId = in.readIntLE();
        }
        // A full header in the middle of a message abandons it (the peer started over).
        boolean newMessage = stream == null || stream.partial == null || fmt <= 2;
        boolean extended;
        if (fmt <= 2) {
            extended = field == EXTENDED;
            if (extended) {
                if (in.readableBytes() < 4) {
                    return false;
                }
                field = in.readUnsignedInt();
            }
        } else {
            extended = stream.extended;
            field = stream.timestampField;
            if (extended) {
                if (newMessage) {
                    if (in.readableBytes() < 4) {
                        return false;
                    }
                    field = in.readUnsignedInt();
                } else {
                    // Continuation: the spec (and ffmpeg, OBS, Flash) repeat the extended field,
                    // some librtmp-era clients did not. Skip it only when it is the repeated value.
                    if (in.readableBytes() < 4) {
                        return false;
                    }
                    if (in.getUnsignedInt(in.readerIndex()) == stream.timestampField) {
                        in.skipBytes(4);
                    }
                }
            }
        }
        if (newMessage && length > limits.maxMessageSize()) {
            throw new IngestLimitException("message_size", "message of " + length + " bytes on chunk stream " + csid
                    + " exceeds the limit of " + limits.maxMessageSize());
        }
        int received = newMessage ? 0 : stream.partial.readableBytes();
        int payloadBytes = Math.min(chunkSize, length - received);
        if (buffers != null) {
            refuseEarly(stream, newMessage, payloadBytes);
        }
        if (in.readableBytes() < payloadBytes) {
            return false;
        }

        // The chunk is whole: commit.
        if (stream == null) {
            if (streams.size() >= limits.maxChunkStreams()) {
                throw new IngestLimitException("chunk_streams", "more than " + limits.maxChunkStreams() + " chunk streams");
            }
            if (!granted && streams.size() >= buffers.beforePublishChunkStreams()) {
                throw new IngestLimitException("before_publish_chunk_streams", "more than "
                        + buffers.beforePublishChunkStreams() + " chunk streams before publish");
            }
            stream = new ChunkStream();
            streams.put(csid, stream);
        }
        if (newMessage) {
            // A type-3 chunk starting a message repeats the last field as its delta (ffmpeg's reading too).
            stream.timestamp = fmt == 0 ? field : (stream.timestamp + field) & 0xFFFFFFFFL;
            stream.timestampField = field;
            stream.extended = extended;
            stream.length = length;
            stream.typeId = typeId;
            stream.streamId = streamId;
            releasePartial(stream);
            // Sized for what has arrived and grown as chunks come: a header may announce 8 MiB and
            // send nothing more, and on 64 chunk streams up-front buffers would hold 512 MiB for a
            // few hundred bytes received (found by IngestChunkStreamFuzzTest).
            reserve(stream, payloadBytes);
            stream.partial = granted ? ctx.alloc().buffer(payloadBytes, length)
                    : beforePublishAllocator(ctx).heapBuffer(payloadBytes, length);
            if (stream.partial.capacity() > payloadBytes) {
                reserve(stream, stream.partial.capacity() - payloadBytes); // an allocator that rounds up
            }
        } else {
            int needed = stream.partial.writerIndex() + payloadBytes;
            int capacity = stream.partial.capacity();
            if (needed > capacity) {
                int grown = stream.partial.alloc().calculateNewCapacity(needed, stream.partial.maxCapacity());
                reserve(stream, grown - capacity);
                stream.partial.capacity(grown);
            }
        }
        stream.partial.writeBytes(in, payloadBytes);
        if (stream.partial.readableBytes() == length) {
            ByteBuf payload = stream.partial;
            unreserve(stream); // the message is handed on: it is no longer ours to count
            stream.partial = null;
            complete(new RtmpMessage(csid, typeId, stream.streamId, stream.timestamp, payload), out);
        }
        return true;
    }

    private void complete(RtmpMessage message, List<Object> out) {
        switch (message.typeId()) {
            case MessageType.SET_CHUNK_SIZE -> applyChunkSize(message);
            case MessageType.ABORT -> abort(message);
            case MessageType.AGGREGATE -> {
                try {
                    AggregateMessages.split(message, limits, out);
                } finally {
                    message.release();
                }
                return;
            }
            default -> {
            }
        }
        out.add(message);
    }

    private void applyChunkSize(RtmpMessage message) {
        ByteBuf p = message.content();
        if (p.readableBytes() < 4) {
            message.release();
            throw new DecoderException("Set Chunk Size with " + p.readableBytes() + " bytes");
        }
        long size = p.getUnsignedInt(p.readerIndex());
        if (size < 1 || size > limits.maxChunkSize()) {
            message.release();
            throw new IngestLimitException("chunk_size", "Set Chunk Size " + size + " outside 1.." + limits.maxChunkSize());
        }
        chunkSize = (int) size;
    }

    private void abort(RtmpMessage message) {
        ByteBuf p = message.content();
        if (p.readableBytes() >= 4) {
            ChunkStream aborted = streams.get(p.getInt(p.readerIndex()));
            if (aborted != null) {
                releasePartial(aborted);
            }
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        for (ChunkStream stream : streams.values()) {
            releasePartial(stream);
        }
        streams.clear();
    }

    /** Unpooled heap (see the class comment); a channel allocator that pools nothing is that already. */
    private static ByteBufAllocator beforePublishAllocator(ChannelHandlerContext ctx) {
        return ctx.alloc().isDirectBufferPooled() ? UnpooledByteBufAllocator.DEFAULT : ctx.alloc();
    }

    /**
     * Refuses a chunk that cannot fit before its payload has arrived: the cumulation waits for a
     * whole chunk, and with Set Chunk Size at 16 MiB a chunk of a message is the message, so the
     * payload of a chunk that will be refused must not be waited for (and held) first. Counts the
     * least the chunk's buffer must grow by, so it refuses nothing {@link #reserve} would take.
     */
    private void refuseEarly(ChunkStream stream, boolean newMessage, int payloadBytes) {
        long growth;
        long freed = 0;
        if (newMessage) {
            growth = payloadBytes;
            freed = stream == null ? 0 : stream.reserved; // a new message releases the stream's old one
        } else {
            growth = Math.max(0, stream.partial.writerIndex() + payloadBytes - stream.partial.capacity());
        }
        long after = held - freed + growth;
        if (!granted && after > buffers.beforePublishBytes()) {
            throw new IngestLimitException("before_publish_bytes", "a chunk of " + payloadBytes + " bytes would bring partial"
                    + " messages before publish to " + after + " bytes, over the limit of " + buffers.beforePublishBytes());
        }
        if (after > buffers.perConnectionBytes()) {
            throw new IngestLimitException("connection_bytes", "a chunk of " + payloadBytes + " bytes would bring partial"
                    + " messages on one connection to " + after + " bytes, over the limit of " + buffers.perConnectionBytes());
        }
    }

    /**
     * Counts {@code bytes} more for this stream's partial message, before its buffer takes them, or
     * refuses them with the limit they would break (nothing is reserved then).
     */
    private void reserve(ChunkStream stream, int bytes) {
        long after = held + bytes;
        if (buffers != null) {
            if (!granted && after > buffers.beforePublishBytes()) {
                throw new IngestLimitException("before_publish_bytes", "partial messages of " + after
                        + " bytes before publish exceed the limit of " + buffers.beforePublishBytes());
            }
            if (after > buffers.perConnectionBytes()) {
                throw new IngestLimitException("connection_bytes", "partial messages of " + after
                        + " bytes on one connection exceed the limit of " + buffers.perConnectionBytes());
            }
        }
        if (!budget.tryReserve(bytes)) {
            throw new IngestLimitException("buffer_budget", "the server's buffer budget of " + budget.limit()
                    + " bytes for partial messages has no room for " + bytes + " more");
        }
        held = after;
        stream.reserved += bytes;
    }

    private void unreserve(ChunkStream stream) {
        budget.release(stream.reserved);
        held -= stream.reserved;
        stream.reserved = 0;
    }

    private void releasePartial(ChunkStream stream) {
        unreserve(stream);
        if (stream.partial != null) {
            stream.partial.release();
            stream.partial = null;
        }
    }
}
