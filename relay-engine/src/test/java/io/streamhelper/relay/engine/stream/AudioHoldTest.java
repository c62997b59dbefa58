package io.streamhelper.relay.engine.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.publish.StreamGrant;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.streamhelper.relay.engine.media.MediaKind;
import io.streamhelper.relay.engine.media.MediaMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Audio held back to share a write with the next video frame, never longer than the hold time,
 * and only in fan-outs as large as the hold asks for.
 */
class AudioHoldTest {
    private final EventExecutor loop = new DefaultEventLoop();

    /** Writes down, in order, what the stream asked of it: "send A@ts", "hold A@ts", "flush". */
    private static final class RecordingSink implements MediaSink {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Long> flushedAtNanos = new CopyOnWriteArrayList<>();

        @Override
        public void join(StreamSnapshot snapshot) {
            snapshot.drain().forEach(MediaMessage::release);
        }

        @Override
        public void deliver(MediaMessage message) {
            calls.add("send " + message.kind().name().charAt(0) + "@" + message.timestamp());
            message.release();
        }

        @Override
        public void deliverHeld(MediaMessage message) {
            calls.add("hold " + message.kind().name().charAt(0) + "@" + message.timestamp());
            message.release();
        }

        @Override
        public void flush() {
            calls.add("flush");
            flushedAtNanos.add(System.nanoTime());
        }
    }

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private LiveStream stream(long holdMillis) {
        return new LiveStream(new StreamGrant("s1", "Stream"), loop, 1 << 20, new RelayCounters(), new AudioHold(holdMillis, 1));
    }

    private void onLoop(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private static MediaMessage audio(long ts) {
        return new MediaMessage(MediaKind.AUDIO, ts, Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 1, 0x21}));
    }

    private static MediaMessage audioHeader() {
        return new MediaMessage(MediaKind.AUDIO, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 0, 0x12, 0x10}));
    }

    private static MediaMessage video(long ts) {
        return new MediaMessage(MediaKind.VIDEO, ts, Unpooled.wrappedBuffer(new byte[] {0x27, 1, 0, 0, 0}));
    }

    @Test
    void audioWaitsForTheNextVideoFrameWhichCarriesItOut() throws Exception {
        LiveStream stream = stream(10_000);
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        onLoop(() -> {
            stream.publish(audioHeader());
            stream.publish(audio(0));
            stream.publish(audio(21));
            stream.publish(video(33));
        });
        assertEquals(List.of("send A@0", "hold A@0", "hold A@21", "send V@33"), sink.calls,
                "sequence headers go at once; audio is held and leaves with the video frame, in order");
        onLoop(stream::end);
    }

    @Test
    void heldAudioIsFlushedAfterTheHoldTimeWhenNoVideoComes() throws Exception {
        long holdMillis = 50;
        LiveStream stream = stream(holdMillis);
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        long[] heldAt = new long[1];
        onLoop(() -> {
            heldAt[0] = System.nanoTime();
            stream.publish(audio(0));
            stream.publish(audio(21));
        });
        await().atMost(Duration.ofSeconds(2)).until(() -> sink.calls.contains("flush"));
        assertEquals(List.of("hold A@0", "hold A@21", "flush"), sink.calls, "one flush for everything held");
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(sink.flushedAtNanos.get(0) - heldAt[0]);
        assertTrue(waitedMillis >= holdMillis - 5, "held for the hold time, was " + waitedMillis + " ms");
        onLoop(stream::end);
    }

    @Test
    void noFlushIsNeededWhenVideoAlreadyCarriedTheAudio() throws Exception {
        LiveStream stream = stream(20);
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        onLoop(() -> {
            stream.publish(audio(0));
            stream.publish(video(1));
        });
        // Past the hold time the timer has fired (tasks on one loop run in deadline order) and
        // found nothing held.
        loop.schedule(() -> { }, 60, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("hold A@0", "send V@1"), sink.calls);

        onLoop(() -> stream.publish(audio(500)));
        await().atMost(Duration.ofSeconds(2)).until(() -> sink.calls.contains("flush"));
        assertEquals(List.of("hold A@0", "send V@1", "hold A@500", "flush"), sink.calls, "a later held tag gets its own flush");
        onLoop(stream::end);
    }

    @Test
    void aTimerFromAnEarlierHoldDoesNotCutTheNextOneShort() throws Exception {
        long holdMillis = 100;
        LiveStream stream = stream(holdMillis);
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        onLoop(() -> {
            stream.publish(audio(0));
            stream.publish(video(1)); // ends the first hold; its timer is still due at 100 ms
        });
        long[] secondHeldAt = new long[1];
        loop.schedule(() -> {
            secondHeldAt[0] = System.nanoTime();
            stream.publish(audio(60));
        }, 60, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(2)).until(() -> sink.calls.contains("flush"));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(sink.flushedAtNanos.get(0) - secondHeldAt[0]);
        assertTrue(waitedMillis >= holdMillis - 5, "the second hold lasted its own hold time, was " + waitedMillis + " ms");
        assertEquals(List.of("hold A@0", "send V@1", "hold A@60", "flush"), sink.calls);
        onLoop(stream::end);
    }

    @Test
    void withoutAHoldTimeEveryTagIsSentAtOnce() throws Exception {
        LiveStream stream = stream(0);
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        onLoop(() -> {
            stream.publish(audio(0));
            stream.publish(video(1));
        });
        assertEquals(List.of("send A@0", "send V@1"), sink.calls);
        onLoop(stream::end);
    }

    @Test
    void audioIsHeldOnlyWhileTheStreamFeedsAsManyDestinationsAsTheHoldStartsFrom() throws Exception {
        LiveStream stream = new LiveStream(new StreamGrant("s1", "Stream"), loop, 1 << 20, new RelayCounters(),
                new AudioHold(10_000, 3));
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        RecordingSink third = new RecordingSink();
        stream.attach(first);
        stream.attach(second);
        onLoop(() -> stream.publish(audio(0)));
        stream.attach(third);
        onLoop(() -> {
            stream.publish(audio(21));
            stream.publish(video(33));
        });
        stream.detach(third);
        onLoop(() -> stream.publish(audio(43)));
        assertEquals(List.of("send A@0", "hold A@21", "send V@33", "send A@43"), first.calls,
                "two destinations: at once; three: held for the video frame; two again: at once");
        assertEquals(first.calls, second.calls);
        assertEquals(List.of("hold A@21", "send V@33"), third.calls);
        onLoop(stream::end);
    }
}
