package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * ffmpeg as a streamer's encoder: a live-paced test picture and tone ({@code -re}, testsrc2 and
 * sine) encoded as it goes (x264 with a keyframe every 2 s, AAC) and published to an RTMP URL.
 * Unlike {@link Ffmpeg#publish} there is no clip: each start is a new encoder whose timestamps
 * begin at 0, which is what a reconnecting OBS or ffmpeg looks like to the relay.
 */
public final class LiveEncoder implements AutoCloseable {
    private final Process process;
    private final Path log;

    private LiveEncoder(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Publishes until killed or, with a length, until that much media was sent (then it unpublishes cleanly). */
    public static LiveEncoder start(String rtmpUrl, int width, int height, Duration length, Path log) {
        Tools.require("ffmpeg");
        List<String> command = new ArrayList<>(List.of(Tools.find("ffmpeg").toString(), "-hide_banner", "-nostdin",
                "-loglevel", "info",
                "-re", "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=30",
                "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-b:v", "1500k",
                "-c:a", "aac", "-b:a", "128k", "-ac", "2"));
        if (length != null) {
            command.addAll(List.of("-t", String.valueOf(length.toMillis() / 1000.0)));
        }
        command.addAll(List.of("-f", "flv", rtmpUrl));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new LiveEncoder(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no FCUnpublish, no deleteStream, the socket just dies, as when an encoder crashes. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What ffmpeg printed so far (its own words when the server refused it). */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
