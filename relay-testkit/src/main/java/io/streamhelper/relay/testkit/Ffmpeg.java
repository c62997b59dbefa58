package io.streamhelper.relay.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real ffmpeg and ffprobe, as publisher, player and judge of what a destination received. */
public final class Ffmpeg {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Ffmpeg() {
    }

    /** One stream as ffprobe saw it. */
    public record StreamInfo(String codecType, String codecName, int width, int height) {
    }

    /** The streams ffprobe found and the container's tags (for RTMP, what the server's onMetaData said). */
    public record ProbeResult(List<StreamInfo> streams, Map<String, String> formatTags) {
        public Optional<StreamInfo> video() {
            return streams.stream().filter(s -> "video".equals(s.codecType())).findFirst();
        }

        public Optional<StreamInfo> audio() {
            return streams.stream().filter(s -> "audio".equals(s.codecType())).findFirst();
        }
    }

    /**
     * An FLV test clip, H.264 1280x720 at 30 fps and ~6 Mbit/s (what a streamer sends to Twitch
     * or YouTube) with a keyframe every 2 s and AAC stereo,
     * generated once into cacheDir (ultrafast preset: a few seconds of CPU).
     */
    public static synchronized Path testClip(Path cacheDir, int seconds) throws IOException {
        Tools.require("ffmpeg");
        Files.createDirectories(cacheDir);
        Path clip = cacheDir.resolve("clip-720p30-6M-" + seconds + "s.flv").toAbsolutePath();
        if (Files.exists(clip)) {
            return clip;
        }
        Path partial = cacheDir.resolve(clip.getFileName() + ".partial.flv").toAbsolutePath();
        run(Duration.ofMinutes(3), "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
                "-b:v", "6000k", "-minrate", "6000k", "-maxrate", "6000k", "-bufsize", "6000k",
                "-c:a", "aac", "-b:a", "128k", "-ac", "2",
                "-t", String.valueOf(seconds), "-f", "flv", partial.toString());
        Files.move(partial, clip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return clip;
    }

    /** Publishes the clip in real time (-re) to an RTMP URL with codec copy, as a streamer's encoder would. */
    public static Process publish(Path clip, String rtmpUrl, Path logFile) throws IOException {
        Tools.require("ffmpeg");
        return new ProcessBuilder(Tools.find("ffmpeg").toString(), "-hide_banner", "-nostdin", "-loglevel", "info",
                "-re", "-i", clip.toString(), "-c", "copy", "-f", "flv", rtmpUrl)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
    }

    /**
     * Publishes the clip in real time, over and over, until the process is stopped: for a test
     * that needs a publisher live for as long as it looks, however slow the machine is.
     */
    public static Process publishLooping(Path clip, String rtmpUrl, Path logFile) throws IOException {
        Tools.require("ffmpeg");
        return new ProcessBuilder(Tools.find("ffmpeg").toString(), "-hide_banner", "-nostdin", "-loglevel", "info",
                "-re", "-stream_loop", "-1", "-i", clip.toString(), "-c", "copy", "-f", "flv", rtmpUrl)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
    }

    /** What ffprobe reads from a live RTMP URL or a file. */
    public static ProbeResult probe(String urlOrPath, Duration timeout) {
        return parseProbe(run(timeout, new ProcessBuilder(probeCommand("ffprobe", urlOrPath))));
    }

    /** The ffprobe arguments both builds share: streams' codec and size, and the container's tags, as JSON. */
    static List<String> probeCommand(String ffprobe, String urlOrPath) {
        List<String> command = new ArrayList<>(List.of(ffprobe, "-v", "error"));
        if (urlOrPath.startsWith("rtmp")) {
            command.addAll(List.of("-rw_timeout", "8000000"));
        }
        command.addAll(List.of("-show_entries", "stream=codec_type,codec_name,width,height:format_tags", "-of", "json", urlOrPath));
        return command;
    }

    static ProbeResult parseProbe(String output) {
        try {
            JsonNode root = JSON.readTree(output);
            List<StreamInfo> streams = new ArrayList<>();
            for (JsonNode s : root.path("streams")) {
                streams.add(new StreamInfo(s.path("codec_type").asText(), s.path("codec_name").asText(),
                        s.path("width").asInt(), s.path("height").asInt()));
            }
            Map<String, String> tags = new LinkedHashMap<>();
            root.path("format").path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            return new ProbeResult(streams, tags);
        } catch (IOException e) {
            throw new UncheckedIOException("ffprobe printed no JSON: " + output, e);
        }
    }

    /** The number of video packets (frames) in an FLV file. */
    public static long countVideoFrames(Path flv) {
        String out = run(Duration.ofSeconds(60), "ffprobe", "-v", "error", "-select_streams", "v", "-count_packets",
                "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", flv.toString());
        return Long.parseLong(out.trim().split("\\s+")[0].replace(",", ""));
    }

    /**
     * Whether a recording starts with a picture a player can show at once: its first video packet
     * is a keyframe and ffmpeg decodes the first frames without a single error.
     */
    public static boolean startsWithDecodablePicture(Path flv) {
        String flags = run(Duration.ofSeconds(30), "ffprobe", "-v", "error", "-select_streams", "v", "-read_intervals", "%+#1",
                "-show_entries", "packet=flags", "-of", "csv=p=0", flv.toString());
        if (!flags.trim().startsWith("K")) {
            return false;
        }
        run(Duration.ofSeconds(30), "ffmpeg", "-hide_banner", "-v", "error", "-xerror", "-i", flv.toString(),
                "-frames:v", "5", "-f", "null", "-");
        return true;
    }

    /** The number of video frames ffprobe reads from a live stream over the given seconds of it. */
    public static long countVideoFramesLive(String url, int seconds) {
        String out = run(Duration.ofSeconds(seconds + 30L), "ffprobe", "-v", "error", "-rw_timeout", "8000000",
                "-read_intervals", "%+" + seconds, "-select_streams", "v", "-count_packets",
                "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", url);
        return Long.parseLong(out.trim().split("\\s+")[0].replace(",", ""));
    }

    private static String run(Duration timeout, String... command) {
        return run(timeout, new ProcessBuilder(command));
    }

    /** Runs a tool to its end and returns what it printed; a non-zero exit or a timeout fails the test. */
    static String run(Duration timeout, ProcessBuilder builder) {
        String[] command = builder.command().toArray(new String[0]);
        try {
            Process p = builder.redirectErrorStream(false).start();
            p.getOutputStream().close();
            // Read both streams to the end on separate threads so neither pipe can fill and stall the tool.
            var stdout = new java.util.concurrent.CompletableFuture<String>();
            var stderr = new java.util.concurrent.CompletableFuture<String>();
            daemon(() -> stdout.complete(readAll(p.getInputStream())));
            daemon(() -> stderr.complete(readAll(p.getErrorStream())));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command[0] + " timed out after " + timeout + ": " + String.join(" ", command));
            }
            String out = stdout.get(5, TimeUnit.SECONDS);
            String err = stderr.get(5, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new AssertionError(command[0] + " exited " + p.exitValue() + ": " + err + " (" + String.join(" ", command) + ")");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes());
        } catch (IOException e) {
            return "";
        }
    }

    private static void daemon(Runnable task) {
        Thread t = new Thread(task, "tool-output");
        t.setDaemon(true);
        t.start();
    }
}
