package io.streamhelper.relay.engine.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutScopeTest {

    @Test
    void keepsWhatItIsGivenUntilClosedThenReleasesItOnce() {
        FanOutScope scope = new FanOutScope();
        ByteBuf framed = Unpooled.buffer(8);
        assertTrue(scope.put("rtmp/4096/33", framed));
        assertSame(framed, scope.get("rtmp/4096/33"));
        assertNull(scope.get("rtmp/4096/66"));
        assertEquals(1, framed.refCnt(), "get does not retain");

        scope.close();
        assertEquals(0, framed.refCnt());
        assertNull(scope.get("rtmp/4096/33"));
        scope.close();
        assertEquals(0, framed.refCnt(), "closing twice releases nothing more");
    }

    @Test
    void aClosedOrFullScopeRefusesAndLeavesTheReferenceWithTheCaller() {
        FanOutScope scope = new FanOutScope();
        List<ByteBuf> kept = new ArrayList<>();
        for (int i = 0; i < FanOutScope.CAPACITY; i++) {
            ByteBuf b = Unpooled.buffer(1);
            assertTrue(scope.put(i, b));
            kept.add(b);
        }
        assertFalse(scope.hasRoom());
        ByteBuf extra = Unpooled.buffer(1);
        assertFalse(scope.put("one more", extra));
        scope.close();
        assertEquals(1, extra.refCnt(), "refused: still the caller's");
        extra.release();
        kept.forEach(b -> assertEquals(0, b.refCnt()));

        ByteBuf late = Unpooled.buffer(1);
        assertFalse(scope.put("late", late), "a tag replayed after its fan-out shares nothing");
        late.release();
    }

    @Test
    void duplicatesAndRebasedCopiesStayInTheirFanOut() {
        FanOutScope scope = new FanOutScope();
        MediaMessage original = new MediaMessage(MediaKind.VIDEO, 10, Unpooled.wrappedBuffer(new byte[] {0x27, 1}));
        assertNull(original.fanOutScope());
        MediaMessage copy = original.retainedDuplicateIn(scope);
        assertSame(scope, copy.fanOutScope());
        MediaMessage rebased = copy.withTimestamp(0);
        assertSame(scope, rebased.fanOutScope());
        assertEquals(0, rebased.timestamp());
        assertSame(copy.content(), rebased.content(), "the reference moves; nothing is duplicated");
        rebased.release();
        original.release();
        assertEquals(0, original.refCnt());
        scope.close();
    }
}
