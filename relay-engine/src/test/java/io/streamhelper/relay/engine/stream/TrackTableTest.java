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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a multitrack publisher can make the stream hold: the other tracks' headers are kept for
 * joiners, so their number and size are bounded whatever track ids and sizes a hostile publisher
 * claims, and what they say stays the newest.
 */
class TrackTableTest {
    private static final int SEQUENCE_START = 0;
    private static final int CODED_FRAMES = 1;
    private static final int METADATA = 4;
    private static final int MPEG2TS_SEQUENCE_START = 5;

    private final TrackTable table = new TrackTable();

    @AfterEach
    void releaseWhatTheTableHolds() {
        table.clear();
    }

    @Test
    void aPublisherClaimingEveryTrackIdAndHugeHeadersMakesTheStreamHoldLittle() {
        for (int track = 1; track <= 255; track++) {
            for (int packetType : new int[] {SEQUENCE_START, METADATA, MPEG2TS_SEQUENCE_START}) {
                offer(oneTrack(1, packetType, "hvc1", track, 100));
            }
        }
        List<MediaMessage> headers = table.retainedHeaders();
        try {
            // 15 tracks besides track 0, whose place stays free; per track a sequence start
            // (the last one: an MPEG-2 TS one replaced the plain one's config) and at most one
            // more form of it.
            assertTrue(headers.size() <= (TrackTable.MAX_TRACKS - 1) * 3, "headers kept: " + headers.size());
            assertTrue(headers.size() > 0, "the admitted tracks' headers are still kept");
        } finally {
            headers.forEach(MediaMessage::release);
        }

        TrackTable fresh = new TrackTable();
        MediaMessage huge = oneTrack(1, SEQUENCE_START, "hvc1", 1, TrackTable.MAX_HEADER_BYTES + 1);
        fresh.offer(huge);
        huge.release();
        assertTrue(fresh.retainedHeaders().isEmpty(), "a header over the limit is not cached");
        assertTrue(fresh.has(MediaKind.VIDEO, 1), "its track is still known");
        fresh.clear();
    }

    @Test
    void aTracksNewSequenceStartDropsTheConfigurationThatDescribedTheOldOne() {
        offer(oneTrack(1, SEQUENCE_START, "hvc1", 1, 30));
        offer(oneTrack(1, METADATA, "hvc1", 1, 20));
        offer(oneTrack(1, SEQUENCE_START, "hvc1", 1, 37));
        List<MediaMessage> headers = table.retainedHeaders();
        try {
            assertEquals(1, headers.size(), "only the new sequence start: " + headers);
            assertEquals(SEQUENCE_START, headers.get(0).content().getByte(1) & 0x0F);
        } finally {
            headers.forEach(MediaMessage::release);
        }
    }

    @Test
    void trackZeroKeepsItsPlaceAndEachKindHasItsOwnLimit() {
        for (int track = 1; track <= 40; track++) {
            offer(oneTrack(0, CODED_FRAMES, "avc1", track, 10));
        }
        offer(plain(MediaKind.VIDEO, 0x17, 1, 0, 0, 0, 9));
        offer(audioOneTrack(1));
        assertTrue(table.has(MediaKind.VIDEO, 0), "track 0 arrived after forty bogus tracks and is listed");
        assertFalse(table.has(MediaKind.VIDEO, TrackTable.MAX_TRACKS), "the video tracks past the limit are not believed");
        assertTrue(table.has(MediaKind.AUDIO, 1), "audio tracks are not crowded out by video ones");
    }

    @Test
    void aNewPublisherStartsWithTrackZeroOnly() {
        offer(plain(MediaKind.VIDEO, 0x17, 1, 0, 0, 0, 9));
        offer(oneTrack(1, SEQUENCE_START, "avc1", 1, 30));
        offer(oneTrack(1, CODED_FRAMES, "avc1", 1, 30));
        table.forgetOtherTracks();
        assertTrue(table.has(MediaKind.VIDEO, 0));
        assertFalse(table.has(MediaKind.VIDEO, 1), "the old publisher's track 1 is not offered to destinations");
        assertTrue(table.retainedHeaders().isEmpty(), "nor its headers to joiners");
    }

    private void offer(MediaMessage message) {
        try {
            table.offer(message);
        } finally {
            message.release();
        }
    }

    /** A multitrack OneTrack video tag: ex-header, packet type 6, the track's packet type, FourCC, track id, payload. */
    private static MediaMessage oneTrack(int frameType, int packetType, String fourCc, int trackId, int payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x80 | frameType << 4 | 6).writeByte(MultitrackTags.ONE_TRACK << 4 | packetType);
        b.writeCharSequence(fourCc, StandardCharsets.US_ASCII);
        b.writeByte(trackId).writeZero(payload);
        return new MediaMessage(MediaKind.VIDEO, 0, b);
    }

    /** A multitrack OneTrack Opus audio frame: sound format 9 (ex-header), packet type 5 (multitrack). */
    private static MediaMessage audioOneTrack(int trackId) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(9 << 4 | 5).writeByte(MultitrackTags.ONE_TRACK << 4 | 1);
        b.writeCharSequence("Opus", StandardCharsets.US_ASCII);
        b.writeByte(trackId).writeZero(8);
        return new MediaMessage(MediaKind.AUDIO, 0, b);
    }

    private static MediaMessage plain(MediaKind kind, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        return new MediaMessage(kind, 0, b);
    }
}
