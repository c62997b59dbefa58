package io.streamhelper.relay.engine.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.streamhelper.relay.engine.media.Captures;
import org.junit.jupiter.api.Test;

/** The picture size from an AVCDecoderConfigurationRecord, on records ffmpeg 8.1's libx264 wrote. */
class AvcSizeTest {

    /** The record inside a legacy AVC sequence header: after 0x17, packet type 0 and the composition time. */
    private static int[] sizeOfLegacyHeader(ByteBuf tag) {
        return AvcSize.read(tag, 5, tag.readableBytes() - 5);
    }

    @Test
    void constrainedBaselineWithARightCrop() {
        ByteBuf tag = Captures.tag("video-track0-sequence-start.bin");
        assertArrayEquals(new int[] {320, 180}, sizeOfLegacyHeader(tag), "180 lines: 12 macroblock rows cropped by 12");
        tag.release();
        ByteBuf vertical = Captures.tag("video-track1-sequence-start.bin");
        assertArrayEquals(new int[] {180, 320}, AvcSize.read(vertical, 7, vertical.readableBytes() - 7));
        vertical.release();
    }

    @Test
    void highProfileReadsPastItsChromaAndBitDepthFields() {
        ByteBuf tag = Captures.tag("avc-high-1920x1080-sequence-start.bin");
        assertArrayEquals(new int[] {1920, 1080}, sizeOfLegacyHeader(tag));
        tag.release();
    }

    @Test
    void everyTruncatedOrDamagedRecordGivesNullNotAnException() {
        byte[] record = Captures.bytes("avc-high-1920x1080-sequence-start.bin");
        for (int length = 0; length < record.length - 5; length++) {
            ByteBuf tag = Unpooled.wrappedBuffer(record);
            int[] size = AvcSize.read(tag, 5, length);
            if (size != null) {
                // Only a cut after the SPS (into the PPS) may still give the size, and then the right one.
                assertArrayEquals(new int[] {1920, 1080}, size, "at length " + length);
            }
            tag.release();
        }
        for (int at = 5; at < record.length; at++) {
            byte[] damaged = record.clone();
            damaged[at] = (byte) 0xFF;
            ByteBuf tag = Unpooled.wrappedBuffer(damaged);
            AvcSize.read(tag, 5, damaged.length - 5); // any answer, or null: never an exception
            tag.release();
        }
        for (int spsLength = 4; spsLength < 9; spsLength++) {
            // An SPS that says it ends before its size fields: the reader runs out inside it.
            byte[] shortSps = record.clone();
            shortSps[5 + 6] = 0;
            shortSps[5 + 7] = (byte) spsLength;
            ByteBuf tag = Unpooled.wrappedBuffer(shortSps);
            assertNull(AvcSize.read(tag, 5, shortSps.length - 5), "an SPS of " + spsLength + " bytes");
            tag.release();
        }
        ByteBuf noSps = Unpooled.wrappedBuffer(new byte[] {1, 0x64, 0, 0x28, (byte) 0xFF, (byte) 0xE0, 0, 0});
        assertNull(AvcSize.read(noSps, 0, 8));
        noSps.release();
    }
}
