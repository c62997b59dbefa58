package io.streamhelper.relay.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A viewer of a live RTMP stream: ffprobe playing it and decoding every frame as it arrives,
 * each reported with its timestamp and, for video, the size it decoded to. A frame is listed
 * only once the decoder produced it, so a picture in the list is a picture a player could show.
 * Its stdout is line-buffered (stdbuf) so the test sees frames within a frame's time of ffprobe.
 */
public final class FrameReader implements AutoCloseable {
    /** One decoded frame: "video" or "audio", the packet's timestamp in ms, the picture size (0 for audio). */
    public record Frame(String mediaType, long dtsMillis, boolean keyFrame, int width, int height, long seenAtNanos) {
        public boolean isVideo() {
            return "video".equals(mediaType);
        }
    }

    private final Process process;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final Thread pump;

    private FrameReader(Process process) {
        this.process = process;
        this.pump = new Thread(this::readLines, "frame-reader");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts reading; ffprobe's own errors go to errorLog. It gives up after readTimeoutSeconds
     * without a byte (so a pause in the stream shorter than that is just a pause to it).
     */
    public static FrameReader start(String rtmpUrl, int readTimeoutSeconds, Path errorLog) {
        Tools.require("ffprobe", "stdbuf");
        try {
            Process process = new ProcessBuilder(Tools.find("stdbuf").toString(), "-oL", Tools.find("ffprobe").toString(),
                    "-v", "error", "-rw_timeout", String.valueOf(readTimeoutSeconds * 1_000_000L),
                    "-show_frames", "-show_entries", "frame=media_type,key_frame,pkt_dts_time,width,height",
                    "-of", "compact=p=0", rtmpUrl)
                    .redirectError(errorLog.toFile())
                    .start();
            process.getOutputStream().close();
            return new FrameReader(process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Frame frame = parse(line);
                if (frame != null) {
                    frames.add(frame);
                }
            }
        } catch (IOException e) {
            // the process was stopped: the frames read so far stay
        }
    }

    private static Frame parse(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : line.split("\\|")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        String dts = fields.get("pkt_dts_time");
        if (dts == null || dts.equals("N/A") || !fields.containsKey("media_type")) {
            return null;
        }
        return new Frame(fields.get("media_type"), Math.round(Double.parseDouble(dts) * 1000), "1".equals(fields.get("key_frame")),
                number(fields.get("width")), number(fields.get("height")), System.nanoTime());
    }

    private static int number(String value) {
        return value == null || value.equals("N/A") ? 0 : Integer.parseInt(value);
    }

    /** Every frame decoded so far, in the order ffprobe printed them. */
    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    public List<Frame> videoFrames() {
        return frames.stream().filter(Frame::isVideo).toList();
    }

    /** Whether ffprobe is still playing (it stops when the stream ends or stays silent too long). */
    public boolean isReading() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            pump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
