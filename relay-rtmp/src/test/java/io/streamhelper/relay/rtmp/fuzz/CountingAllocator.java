package io.streamhelper.relay.rtmp.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator for one fuzz input that knows every buffer it handed out: how many bytes are
 * allocated right now and at most, and which buffers were never released. Netty's leak detector
 * only notices a leak after a garbage collection, long after the input that caused it; this
 * notices it for the very input, so the fuzzer can keep and minimise it.
 *
 * <p>Direct buffers are served from the heap too: the code under test never depends on the kind.
 */
final class CountingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> handedOut = new ArrayList<>();
    private long liveBytes;
    private long peakBytes;

    CountingAllocator() {
        super(false);
    }

    /** The most bytes held by live buffers at any one moment. */
    long peakBytes() {
        return peakBytes;
    }

    /** Buffers (as allocated, not their slices) that still have a reference count above zero. */
    List<ByteBuf> unreleased() {
        return handedOut.stream().filter(b -> b.refCnt() > 0).toList();
    }

    /** Releases what is left, so that one failing input does not also fail the next ones. */
    void releaseAll() {
        for (ByteBuf b : unreleased()) {
            b.release(b.refCnt());
        }
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new Counted(initialCapacity, maxCapacity);
        handedOut.add(buf);
        return buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Counts the arrays behind the buffer: allocated on creation and growth, freed on release. */
    private final class Counted extends UnpooledHeapByteBuf {
        Counted(int initialCapacity, int maxCapacity) {
            super(CountingAllocator.this, initialCapacity, maxCapacity);
        }

        @Override
        protected byte[] allocateArray(int initialCapacity) {
            liveBytes += initialCapacity;
            peakBytes = Math.max(peakBytes, liveBytes);
            return super.allocateArray(initialCapacity);
        }

        @Override
        protected void freeArray(byte[] array) {
            liveBytes -= array.length;
            super.freeArray(array);
        }
    }
}
