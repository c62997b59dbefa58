package io.streamhelper.relay.rtmp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The chunk decoder and message assembler as a publisher reaches them: everything after the
 * handshake, through the real ingest pipeline (chunk decoder, protocol control, the session with
 * its AMF0 command decoding, and media handed to a live stream when the input publishes the seed
 * key). The seeds are real captures of ffmpeg and of our own RTMP client publishing.
 *
 * <p>Input layout: the last 4 bytes choose how the rest is cut into fragments (libFuzzer's data
 * provider reads numbers from the end), everything before them is the byte stream.
 */
class IngestChunkStreamFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void publisherBytes(FuzzedDataProvider data) {
        int fragmentSeed = data.consumeInt();
        byte[] stream = data.consumeRemainingAsBytes();
        Watchdog.guard(stream, () -> {
            IngestConnection connection = new IngestConnection();
            connection.feed(stream, fragmentSeed);
            connection.closeAndCheck();
        });
    }
}
