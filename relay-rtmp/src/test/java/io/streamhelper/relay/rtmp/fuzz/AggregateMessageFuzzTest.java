package io.streamhelper.relay.rtmp.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.streamhelper.relay.rtmp.message.MessageType;
import io.streamhelper.relay.rtmp.message.ProtocolControl;
import io.streamhelper.relay.rtmp.message.RtmpMessage;
import java.util.List;

/**
 * Aggregate messages (type 22, a run of FLV tags) from a publisher that is live: the fuzzer
 * writes the aggregate's payload, its timestamp and the chunk size, the connection first goes
 * through connect, createStream and publish of the seed key, so the tags it splits out reach the
 * live stream (GOP cache, keyframe and sequence-header detection, metadata parsing) as real ones
 * would. The seeds are runs of real ffmpeg tags taken from the captured publish.
 *
 * <p>Input layout: from the end, chunk size (2 bytes), timestamp (4) and fragment seed (4); the
 * rest is the aggregate's payload.
 */
class AggregateMessageFuzzTest {
    private static final byte[] PUBLISH = ChunkedBytes.publishConversation();

    @FuzzTest(maxDuration = "30s")
    void aggregatePayload(FuzzedDataProvider data) {
        int chunkSize = 128 + (data.consumeShort() & 0x7FFF);
        long timestamp = data.consumeInt() & 0xFFFFFFFFL;
        int fragmentSeed = data.consumeInt();
        byte[] payload = data.consumeRemainingAsBytes();
        byte[] aggregate = ChunkedBytes.encode(List.of(
                ProtocolControl.setChunkSize(io.netty.buffer.ByteBufAllocator.DEFAULT, chunkSize),
                new RtmpMessage(6, MessageType.AGGREGATE, 1, timestamp, Unpooled.wrappedBuffer(payload))));
        Watchdog.guard(payload, () -> {
            IngestConnection connection = new IngestConnection();
            connection.feed(PUBLISH, 4095);
            assertTrue(connection.publishing(), "the scripted publisher is live before its aggregate arrives");
            connection.feed(aggregate, fragmentSeed);
            connection.closeAndCheck();
        });
    }
}
