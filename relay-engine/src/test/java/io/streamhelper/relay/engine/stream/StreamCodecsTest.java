package io.streamhelper.relay.engine.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import io.streamhelper.relay.engine.media.MultitrackTags;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** When the stream's codecs count as known, which destinations with codec rules wait for. */
class StreamCodecsTest {

    @Test
    void anAudioOnlyStreamSentAsMultitrackSettlesAfterASecondAsAnOrdinaryOneDoes() {
        StreamCodecs codecs = new StreamCodecs("s1");
        see(codecs, opus(0, 0)); // track 0's sequence start
        for (long ts = 20; ts <= 1000; ts += 20) {
            see(codecs, opus(ts, 1));
        }
        assertFalse(codecs.settled(), "not yet: video may still come");
        see(codecs, opus(1040, 1));
        assertTrue(codecs.settled(), "a second of multitrack audio frames and no video: audio-only");
        assertEquals("Opus", codecs.audio());
    }

    private static void see(StreamCodecs codecs, MediaMessage message) {
        try {
            codecs.seen(message);
        } finally {
            message.release();
        }
    }

    /** A multitrack OneTrack Opus tag of track 0: sound format 9, packet type 5, then the track's packet type. */
    private static MediaMessage opus(long ts, int packetType) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(9 << 4 | 5).writeByte(MultitrackTags.ONE_TRACK << 4 | packetType);
        b.writeCharSequence("Opus", StandardCharsets.US_ASCII);
        b.writeByte(0).writeZero(8);
        return new MediaMessage(MediaKind.AUDIO, ts, b);
    }
}
