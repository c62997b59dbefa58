package io.streamhelper.relay.rtmp.fuzz;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.rtmp.amf.Amf0Reader;
import io.streamhelper.relay.rtmp.chunk.ChunkDecoder;
import io.streamhelper.relay.rtmp.client.ClientSettings;
import io.streamhelper.relay.rtmp.client.RtmpDestinationConnector;
import io.streamhelper.relay.rtmp.ingest.IngestServer;
import io.streamhelper.relay.rtmp.ingest.IngestSettings;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import io.streamhelper.relay.testkit.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Makes the fuzz seed corpus from real captures (see README.md next to the corpus). Not part of
 * the normal build; run with {@code -Drelay.fuzz.recordSeeds=true}.
 *
 * <p>ffmpeg publishes a generated 2 s stream to ingest A through a recording proxy; A relays it,
 * with our own RTMP client, through a second recording proxy to ingest B. So one run captures
 * what ffmpeg sends and what our client sends, each byte as it was on the wire. Both keys are
 * obviously fake.
 */
@EnabledIfSystemProperty(named = "relay.fuzz.recordSeeds", matches = "true")
class SeedCorpusRecorder {
    private static final Path CORPUS = Path.of("src/test/resources/io/streamhelper/relay/rtmp/fuzz");
    private static final int HANDSHAKE = 1 + 1536 + 1536; // C0, C1, C2
    /** Enough for connect .. first keyframe; larger seeds only slow the fuzzer's mutations down. */
    private static final int MAX_CHUNK_SEED = 24 * 1024;
    private static final int MAX_AGGREGATE_SEED = 16 * 1024;
    /** Fragment seed 4095: fragments of 1..4096 bytes. */
    private static final byte[] FRAGMENT_TRAILER = {0, 0, 0x0F, (byte) 0xFF};
    /** Chunk size, timestamp and fragment seed for AggregateMessageFuzzTest: any values are valid. */
    private static final byte[] AGGREGATE_TRAILER = {0, 0, 0x0F, (byte) 0xFF, 0, 0, 0x03, (byte) 0xE8, 0x0F, (byte) 0x80};

    @Test
    void recordFfmpegAndRelayClientPublishing() throws Exception {
        Tools.require("ffmpeg");
        EventLoopGroup group = new NioEventLoopGroup(2);
        StaticStreamCatalog sinkCatalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("sink", "Sink"), Secret.of("seeddest"), List.<DestinationTarget>of())));
        StreamRegistry sinkRegistry = new StreamRegistry(sinkCatalog, sinkCatalog, (t, l) -> {
            throw new AssertionError("the sink relays nowhere");
        }, StreamRegistry.Settings.defaults());
        try (IngestServer sink = new IngestServer(IngestSettings.defaults(0).withBindAddress("127.0.0.1"), sinkRegistry, group, group).start();
             RecordingProxy clientSide = new RecordingProxy(sink.port())) {
            StaticStreamCatalog catalog = new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                    new StreamGrant("seed", "Seed"), Secret.of(IngestConnection.SEED_KEY),
                    List.of(new DestinationTarget("sink", "sink", "rtmp://127.0.0.1:" + clientSide.port() + "/live",
                            Secret.of("seeddest"))))));
            StreamRegistry registry = new StreamRegistry(catalog, catalog, new RtmpDestinationConnector(group, ClientSettings.defaults()), StreamRegistry.Settings.defaults());
            try (IngestServer ingest = new IngestServer(IngestSettings.defaults(0).withBindAddress("127.0.0.1"), registry, group, group).start();
                 RecordingProxy ffmpegSide = new RecordingProxy(ingest.port())) {
                Process ffmpeg = new ProcessBuilder(Tools.find("ffmpeg").toString(), "-hide_banner", "-nostdin", "-loglevel", "error",
                        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-f", "lavfi", "-i", "sine",
                        "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "15", "-c:a", "aac", "-f", "flv",
                        "rtmp://127.0.0.1:" + ffmpegSide.port() + "/live/" + IngestConnection.SEED_KEY)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
                assertTrue(ffmpeg.waitFor(60, TimeUnit.SECONDS), "ffmpeg finished");
                assertEquals(0, ffmpeg.exitValue(), "ffmpeg published");
                // After ffmpeg, our client unpublishes (FCUnpublish, deleteStream) and hangs up.
                await().atMost(Duration.ofSeconds(20)).until(() -> !clientSide.captures().isEmpty()
                        && clientSide.captures().get(0).ended() && ffmpegSide.captures().get(0).ended());
                write("ffmpeg", afterHandshake(ffmpegSide.captures().get(0).bytes()));
                write("relay-client", afterHandshake(clientSide.captures().get(0).bytes()));
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static byte[] afterHandshake(byte[] capture) {
        assertTrue(capture.length > HANDSHAKE + 1000, "captured a publish, not only a handshake: " + capture.length);
        assertEquals(3, capture[0], "C0");
        return Arrays.copyOfRange(capture, HANDSHAKE, capture.length);
    }

    private static void write(String peer, byte[] chunkStream) throws IOException {
        byte[] head = Arrays.copyOf(chunkStream, Math.min(chunkStream.length, MAX_CHUNK_SEED));
        put("IngestChunkStreamFuzzTestInputs/publisherBytes/" + peer + "-publish", head, FRAGMENT_TRAILER);

        List<RtmpMessage> messages = decode(chunkStream);
        try {
            ByteArrayOutputStream tags = new ByteArrayOutputStream();
            Set<String> commands = new HashSet<>();
            for (RtmpMessage m : messages) {
                byte[] payload = ByteBufUtil.getBytes(m.content());
                int type = m.typeId();
                if (type == MessageType.COMMAND_AMF0 || type == MessageType.DATA_AMF0) {
                    Object first = Amf0Reader.read(m.content().duplicate());
                    String name = String.valueOf(first).replaceAll("[^A-Za-z]", "");
                    if (commands.add(name)) {
                        put("Amf0FuzzTestInputs/amf0Values/" + peer + "-" + name, payload, new byte[0]);
                    }
                }
                boolean media = type == MessageType.AUDIO || type == MessageType.VIDEO || type == MessageType.DATA_AMF0;
                if (media && tags.size() + 15 + payload.length <= MAX_AGGREGATE_SEED) {
                    writeFlvTag(tags, type, m.timestamp(), payload);
                }
            }
            put("AggregateMessageFuzzTestInputs/aggregatePayload/" + peer + "-tags", tags.toByteArray(), AGGREGATE_TRAILER);
        } finally {
            messages.forEach(RtmpMessage::release);
        }
    }

    /** The captured chunk stream as our decoder reassembles it. */
    private static List<RtmpMessage> decode(byte[] chunkStream) {
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(chunkStream));
        List<RtmpMessage> out = new ArrayList<>();
        for (Object m; (m = channel.readInbound()) != null; ) {
            out.add((RtmpMessage) m);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    /** An FLV tag as aggregate messages carry them: 11-byte header, payload, 4-byte back pointer. */
    private static void writeFlvTag(ByteArrayOutputStream out, int type, long timestamp, byte[] payload) {
        ByteBuf tag = Unpooled.buffer(15 + payload.length);
        tag.writeByte(type).writeMedium(payload.length).writeMedium((int) timestamp).writeByte((int) (timestamp >>> 24))
                .writeMedium(0).writeBytes(payload).writeInt(11 + payload.length);
        out.writeBytes(ByteBufUtil.getBytes(tag));
        tag.release();
    }

    private static void put(String name, byte[] body, byte[] trailer) throws IOException {
        Path file = CORPUS.resolve(name);
        Files.createDirectories(file.getParent());
        byte[] all = Arrays.copyOf(body, body.length + trailer.length);
        System.arraycopy(trailer, 0, all, body.length, trailer.length);
        Files.write(file, all);
        System.out.println("seed " + file + " (" + all.length + " bytes)");
    }
}
