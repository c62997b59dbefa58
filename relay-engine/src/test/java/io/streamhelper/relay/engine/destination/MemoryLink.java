package io.streamhelper.relay.engine.destination;

import io.streamhelper.relay.engine.media.MediaMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A destination link in memory, standing in for the network in the supervisor's tests (the real
 * RTMP client is tested against nginx-rtmp in relay-rtmp): it keeps what it is sent, and the test
 * decides when it is live, full, failing or gone.
 */
final class MemoryLink implements DestinationLink {
    final DestinationLink.Listener listener;
    final List<MediaMessage> sent = new CopyOnWriteArrayList<>();
    /** "send V@ts", "queue A@ts", "flush", in call order. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean writable = true;
    volatile boolean closed;
    /** Off: the transport never reports the close, as a socket whose close hangs would not. */
    volatile boolean reportsClose = true;
    /** On: {@link #close} leaves the report to the test ({@link #reportClosed}), as a destination slow to say goodbye. */
    volatile boolean closeReportedLater;
    /**
     * What a send or queue of this message throws instead of taking it (null: it takes it), as
     * a link in an unknown state or a transport that cannot encode a tag would.
     */
    volatile Function<MediaMessage, RuntimeException> failure = message -> null;

    MemoryLink(DestinationLink.Listener listener) {
        this.listener = listener;
    }

    @Override
    public void send(MediaMessage message) {
        take("send", message);
    }

    @Override
    public void queue(MediaMessage message) {
        take("queue", message);
    }

    private void take(String how, MediaMessage message) {
        RuntimeException refused = failure.apply(message);
        if (refused != null) {
            throw refused;
        }
        calls.add(how + " " + message.kind().name().charAt(0) + "@" + message.timestamp());
        sent.add(message);
    }

    @Override
    public void flush() {
        calls.add("flush");
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public long bytesSent() {
        return sent.size();
    }

    @Override
    public void close() {
        closed = true;
        if (!closeReportedLater) {
            listener.onClosed(this, null);
        }
    }

    /** After a {@link #close} with {@link #closeReportedLater}: the goodbye is done, the link reports it closed. */
    void reportClosed() {
        listener.onClosed(this, null);
    }

    @Override
    public void abort(Throwable reason) {
        closed = true;
        if (reportsClose) {
            listener.onClosed(this, reason);
        }
    }

    void releaseAll() {
        sent.forEach(MediaMessage::release);
    }
}
