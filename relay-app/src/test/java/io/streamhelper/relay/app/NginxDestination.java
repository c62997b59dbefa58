package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.secret.Secret;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One stream relayed to one real destination: nginx-rtmp recording what it receives and telling
 * its on_publish / on_publish_done hooks, the ingest and destination keys, and the file catalog a
 * relay under test starts with. What a test reads back (hooks, recording, ffprobe) is here too.
 */
final class NginxDestination implements AutoCloseable {
    final String ingestKey = TestKeys.ingest();
    final String destinationKey = TestKeys.destination();
    final HookServer hooks;
    final NginxRtmp nginx;

    private NginxDestination(HookServer hooks, NginxRtmp nginx) {
        this.hooks = hooks;
        this.nginx = nginx;
    }

    /** Starts the hooks' server and nginx-rtmp (its files under {@code dir}), recording. */
    static NginxDestination start(Path dir) throws Exception {
        HookServer hooks = new HookServer();
        try {
            return new NginxDestination(hooks, NginxRtmp.start(dir, NginxRtmp.options().hooks(hooks).record(true)));
        } catch (Exception | Error e) {
            hooks.close();
            throw e;
        }
    }

    /** The relay's file catalog: one stream, {@code name}, taking {@link #ingestKey} and relaying to this nginx. */
    StaticStreamCatalog catalog(String name) {
        return new StaticStreamCatalog(List.of(new StaticStreamCatalog.Entry(
                new StreamGrant("s1", name), Secret.of(ingestKey),
                List.of(new DestinationTarget("d1", "nginx", nginx.rtmpUrl(), Secret.of(destinationKey))))));
    }

    /** Where a player reads the destination's stream. */
    String player() {
        return nginx.rtmpUrl() + "/" + destinationKey;
    }

    /** The FLV nginx-rtmp records of the destination's stream. */
    Path recording() {
        return nginx.recording(destinationKey);
    }

    /** ffprobe, reading from the destination as a player, finds H.264 of this size and AAC. */
    void assertPlaysH264AndAac(int width, int height, Duration within) {
        Ffmpeg.ProbeResult probe = Ffmpeg.probe(player(), within);
        assertEquals("h264", probe.video().orElseThrow(() -> new AssertionError("no video: " + probe)).codecName());
        assertEquals(width, probe.video().get().width(), probe.toString());
        assertEquals(height, probe.video().get().height(), probe.toString());
        assertEquals("aac", probe.audio().orElseThrow(() -> new AssertionError("no audio: " + probe)).codecName());
    }

    @Override
    public void close() {
        nginx.close();
        hooks.close();
    }
}
