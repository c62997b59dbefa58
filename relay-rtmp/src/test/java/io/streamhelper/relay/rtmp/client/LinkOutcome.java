package io.streamhelper.relay.rtmp.client;

import io.streamhelper.relay.engine.destination.DestinationLink;
import java.util.concurrent.CompletableFuture;

/**
 * Listens to one publishing link for a test: {@link #live} completes on onLive (exceptionally if
 * the link closes first), {@link #closed} on onClosed, with the cause or a {@link NoCause}.
 */
public final class LinkOutcome implements DestinationLink.Listener {
    public final CompletableFuture<DestinationLink> live = new CompletableFuture<>();
    public final CompletableFuture<Throwable> closed = new CompletableFuture<>();

    @Override
    public void onLive(DestinationLink link) {
        live.complete(link);
    }

    @Override
    public void onClosed(DestinationLink link, Throwable cause) {
        live.completeExceptionally(new AssertionError("closed before live", cause));
        closed.complete(cause == null ? new NoCause() : cause);
    }

    /** What {@link #closed} holds when the link closed without an error (we closed it). */
    public static final class NoCause extends Exception {
    }
}
