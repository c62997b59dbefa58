package io.streamhelper.relay.rtmp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.ingest.IngestServer;
import io.streamhelper.relay.rtmp.ingest.IngestSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One ingest connection as the server builds it ({@link IngestServer#addProtocolHandlers}), on an
 * EmbeddedChannel, past a plain handshake, fed bytes in fragments. {@link #closeAndCheck()} then
 * asserts what must hold for ANY input:
 * <ul>
 *   <li>every error that closed the connection is the decoders' own refusal: a
 *       {@link DecoderException} without a cause (ByteToMessageDecoder wraps anything else, an
 *       index error or a null pointer, in one with a cause), and the channel is closed;</li>
 *   <li>every buffer allocated for the connection is released once it is closed;</li>
 *   <li>memory held at any moment stays proportional to the bytes received: a peer cannot make
 *       the server allocate what it has not sent;</li>
 *   <li>the publish, if the input got that far, has ended.</li>
 * </ul>
 */
final class IngestConnection {
    /** The only stream key the registry accepts; obviously fake, it is in the committed seeds. */
    static final String SEED_KEY = "seedkey";
    /** Cumulation and message buffers grow by doubling: twice what arrived, and some slack for replies. */
    static final long MEMORY_PER_INPUT_BYTE = 4;
    static final long MEMORY_SLACK = 256 * 1024;

    private final CountingAllocator alloc = new CountingAllocator();
    private final List<Throwable> errors = new ArrayList<>();
    private final StreamRegistry registry;
    private final EmbeddedChannel channel;
    private long bytesFed;

    IngestConnection() {
        this(null);
    }

    /** With a test handler placed before the session: only to prove the checks can fail. */
    IngestConnection(ChannelHandler injected) {
        StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("fuzz", "Fuzz"), Secret.of(SEED_KEY), List.<DestinationTarget>of())));
        registry = new StreamRegistry(catalog, catalog, (target, listener) -> {
            throw new AssertionError("the fuzz stream has no destinations");
        }, StreamRegistry.Settings.defaults());
        IngestSettings settings = IngestSettings.defaults(0);
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setAllocator(alloc);
                IngestServer.addProtocolHandlers(ch.pipeline(), settings, registry, errors::add);
                if (injected != null) {
                    ch.pipeline().addBefore("session", "injected", injected);
                }
            }
        });
        byte[] handshake = new byte[1 + 1536 + 1536]; // C0 = 3, C1 and C2 all zero: OBS's plain handshake
        handshake[0] = 3;
        write(handshake, 0, handshake.length);
        releaseOutbound(); // S0 S1 S2
    }

    /** Feeds bytes in fragments of 1..maxFragment bytes, drawn from fragmentSeed, until closed. */
    void feed(byte[] data, int fragmentSeed) {
        int maxFragment = 1 + Math.floorMod(fragmentSeed, 4096);
        SplittableRandom sizes = new SplittableRandom(fragmentSeed);
        int at = 0;
        while (at < data.length && channel.isOpen()) {
            int n = Math.min(data.length - at, 1 + sizes.nextInt(maxFragment));
            write(data, at, n);
            at += n;
            releaseOutbound(); // replies: not under test here, only their buffers
        }
    }

    private void write(byte[] data, int offset, int length) {
        ByteBuf fragment = alloc.buffer(length);
        fragment.writeBytes(data, offset, length);
        bytesFed += length;
        channel.writeInbound(fragment);
        // Whatever the session passes on (nothing, today) is released like the tail would.
        for (Object in; (in = channel.readInbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(in);
        }
    }

    private void releaseOutbound() {
        for (Object out; (out = channel.readOutbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }

    /** Whether the input got as far as a live publish of the seed key. */
    boolean publishing() {
        return !registry.liveStreams().isEmpty();
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    List<Throwable> errors() {
        return errors;
    }

    /** Closes the connection as a hang-up would and asserts the invariants above. */
    void closeAndCheck() {
        try {
            for (Throwable error : errors) {
                if (!(error instanceof DecoderException) || error.getCause() != null) {
                    throw new AssertionError("not a clean refusal: " + error, error);
                }
            }
            if (!errors.isEmpty()) {
                assertFalse(channel.isOpen(), "a refused connection is closed");
            }
            channel.finishAndReleaseAll();
            assertTrue(registry.liveStreams().isEmpty(), "closing the connection ended the publish");
            List<ByteBuf> leaked = alloc.unreleased();
            assertEquals(List.of(), leaked.stream().map(b -> b.capacity() + " bytes").toList(), "buffers never released");
            long bound = MEMORY_PER_INPUT_BYTE * bytesFed + MEMORY_SLACK;
            assertTrue(alloc.peakBytes() <= bound, "held " + alloc.peakBytes() + " bytes at once after receiving "
                    + bytesFed + " (bound " + bound + ")");
        } finally {
            channel.finishAndReleaseAll();
            registry.liveStreams().forEach(registry::endPublish);
            alloc.releaseAll();
        }
    }
}
