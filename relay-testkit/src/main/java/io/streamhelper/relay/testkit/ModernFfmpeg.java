package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * ffmpeg and ffprobe 8.1, the modern encoder and judge of enhanced RTMP (HEVC, AV1, Opus,
 * multitrack), beside Debian's 5.1 in {@link Ffmpeg}, which cannot write enhanced RTMP.
 *
 * <p>They come through Maven, as relay-testkit's dependency {@code org.bytedeco:ffmpeg} with
 * classifier {@code linux-x86_64-gpl}: a jar holding the two executables and the libraries they
 * link (libx264, libx265, SVT-AV1, libaom, libopus). The first use extracts that folder under the
 * module's {@code target/} (once per clean build; later uses find it there) and every command runs
 * with {@code LD_LIBRARY_PATH} set to it. Their libavdevice links Debian's libpulse0, which
 * ./test.sh installs.
 */
public final class ModernFfmpeg {
    private static final String FOLDER = "org/bytedeco/ffmpeg/linux-x86_64-gpl/";
    private static final String COMPLETE = ".extracted";
    private static Path home;

    private ModernFfmpeg() {
    }

    /** The folder holding the extracted executables and libraries. */
    public static synchronized Path home() {
        if (home == null) {
            home = extract(Path.of("target").toAbsolutePath());
            check(home);
        }
        return home;
    }

    /** An ffmpeg 8.1 command, ready to start. */
    public static ProcessBuilder ffmpeg(String... args) {
        return command("ffmpeg", List.of(args));
    }

    /** An ffprobe 8.1 command, ready to start. */
    public static ProcessBuilder ffprobe(String... args) {
        return command("ffprobe", List.of(args));
    }

    /** What ffprobe 8.1 reads from a live RTMP URL or a file (it knows the enhanced-RTMP codecs). */
    public static Ffmpeg.ProbeResult probe(String urlOrPath, Duration timeout) {
        List<String> args = Ffmpeg.probeCommand("ffprobe", urlOrPath);
        return Ffmpeg.parseProbe(Ffmpeg.run(timeout, command("ffprobe", args.subList(1, args.size()))));
    }

    /** Runs a command to its end and returns its standard output; a failure or timeout fails the test. */
    public static String run(Duration timeout, ProcessBuilder command) {
        return Ffmpeg.run(timeout, command);
    }

    /**
     * A test clip written by ffmpeg 8.1 into cacheDir once: testsrc2 at the given size and 30 fps,
     * a keyframe every 2 s, in the given video encoder ("libx264", "libx265", "libsvtav1") and
     * audio encoder ("aac", "libopus"), as FLV, which 8.1 writes in the enhanced form for HEVC,
     * AV1 and Opus.
     */
    public static synchronized Path clip(Path cacheDir, String videoEncoder, String audioEncoder, int width, int height, int seconds) {
        try {
            Files.createDirectories(cacheDir);
            Path clip = cacheDir.resolve("modern-" + videoEncoder + "-" + audioEncoder + "-" + width + "x" + height + "-" + seconds + "s.flv")
                    .toAbsolutePath();
            if (Files.exists(clip)) {
                return clip;
            }
            Path partial = cacheDir.resolve(clip.getFileName() + ".partial.flv").toAbsolutePath();
            List<String> args = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-c:v", videoEncoder, "-pix_fmt", "yuv420p", "-g", "60", "-b:v", "2000k"));
            args.addAll(switch (videoEncoder) {
                case "libx264" -> List.of("-preset", "ultrafast", "-tune", "zerolatency");
                case "libx265" -> List.of("-preset", "ultrafast", "-x265-params", "log-level=error:keyint=60:min-keyint=60:scenecut=0");
                case "libsvtav1" -> List.of("-preset", "12", "-svtav1-params", "keyint=60");
                default -> List.of();
            });
            args.addAll(List.of("-c:a", audioEncoder, "-b:a", "128k", "-ac", "2",
                    "-t", String.valueOf(seconds), "-f", "flv", partial.toString()));
            run(Duration.ofMinutes(5), ffmpeg(args.toArray(new String[0])));
            Files.move(partial, clip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return clip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A two-rendition clip written by ffmpeg 8.1 into cacheDir once: testsrc2 at width x height and
     * the same picture scaled to height x width with square pixels (a vertical rendition), both libx264 at 30 fps with
     * a keyframe every 2 s, and one AAC track. Given two video streams, 8.1's FLV muxer writes
     * multitrack (enhanced RTMP v2): the first in the legacy AVC form, the second as Multitrack
     * packets with track id 1; {@link #publishLooping} sends it that way.
     */
    public static synchronized Path multitrackClip(Path cacheDir, int width, int height, int seconds) {
        try {
            Files.createDirectories(cacheDir);
            Path clip = cacheDir.resolve("modern-multitrack-sar1-" + width + "x" + height + "+" + height + "x" + width + "-" + seconds + "s.flv")
                    .toAbsolutePath();
            if (Files.exists(clip)) {
                return clip;
            }
            Path partial = cacheDir.resolve(clip.getFileName() + ".partial.flv").toAbsolutePath();
            run(Duration.ofMinutes(5), ffmpeg("-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-filter_complex", "[0:v]split=2[main][other];[other]scale=" + height + ":" + width + ",setsar=1[vertical]",
                    "-map", "[main]", "-map", "[vertical]", "-map", "1:a",
                    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "60",
                    "-b:v", "1500k", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
                    "-t", String.valueOf(seconds), "-f", "flv", partial.toString()));
            Files.move(partial, clip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return clip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes a clip in real time with codec copy, over and over until stopped, as ffmpeg 8.1 (enhanced RTMP). */
    public static Process publishLooping(Path clip, String rtmpUrl, Path logFile, String... outputOptions) throws IOException {
        List<String> args = new ArrayList<>(List.of("-hide_banner", "-nostdin", "-loglevel", "info",
                "-re", "-stream_loop", "-1", "-i", clip.toString(), "-map", "0", "-c", "copy"));
        args.addAll(List.of(outputOptions));
        args.addAll(List.of("-f", "flv", rtmpUrl));
        return ffmpeg(args.toArray(new String[0])).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }

    /**
     * An RTMP server of one connection (ffmpeg's {@code -listen 1}) that records what it receives,
     * codec copy, into output (format from its extension): a destination that takes HEVC and AV1,
     * which nginx-rtmp does not pass reliably.
     */
    public static Process receive(String listenUrl, Path output, Path logFile) throws IOException {
        return ffmpeg("-hide_banner", "-nostdin", "-loglevel", "info", "-y", "-listen", "1", "-i", listenUrl,
                "-map", "0", "-c", "copy", output.toString())
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }

    private static ProcessBuilder command(String tool, List<String> args) {
        return commandIn(home(), tool, args);
    }

    /** Extracts the jar's executables and libraries into a folder under parent, once (atomic rename). */
    static Path extract(Path parent) {
        URL url = ModernFfmpeg.class.getClassLoader().getResource(FOLDER + "ffmpeg");
        if (url == null) {
            throw new AssertionError("org.bytedeco:ffmpeg (classifier linux-x86_64-gpl) is not on the test class path: "
                    + "relay-testkit depends on it; build with Maven");
        }
        try {
            Path jar = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
            String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
            Path target = parent.resolve(name);
            if (Files.exists(target.resolve(COMPLETE))) {
                return target;
            }
            Files.createDirectories(parent);
            Path partial = Files.createTempDirectory(parent, name + ".partial-");
            try (JarFile file = new JarFile(jar.toFile())) {
                for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                    String entryName = entry.getName();
                    if (entry.isDirectory() || !entryName.startsWith(FOLDER) || entryName.substring(FOLDER.length()).contains("/")) {
                        continue;
                    }
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, partial.resolve(entryName.substring(FOLDER.length())));
                    }
                }
            }
            for (String tool : List.of("ffmpeg", "ffprobe")) {
                partial.resolve(tool).toFile().setExecutable(true);
            }
            // Some builds ship libva.so but their libraries ask for libva.so.2.
            for (String lib : List.of("libva", "libva-drm")) {
                Path plain = partial.resolve(lib + ".so");
                Path versioned = partial.resolve(lib + ".so.2");
                if (Files.exists(plain) && !Files.exists(versioned)) {
                    Files.createSymbolicLink(versioned, plain.getFileName());
                }
            }
            Files.createFile(partial.resolve(COMPLETE));
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another JVM extracted it first (or a stale folder without the marker is in the way).
                FileTrees.delete(partial);
                if (!Files.exists(target.resolve(COMPLETE))) {
                    FileTrees.delete(target);
                    return extract(parent);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract ffmpeg 8.1 from its jar", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(Path dir) {
        try {
            String version = Ffmpeg.run(Duration.ofSeconds(30), commandIn(dir, "ffmpeg", List.of("-hide_banner", "-version")));
            if (!version.startsWith("ffmpeg version 8.")) {
                throw new AssertionError("expected ffmpeg 8.x in " + dir + ", got: " + version.lines().findFirst().orElse(""));
            }
        } catch (AssertionError e) {
            if (String.valueOf(e.getMessage()).contains("libpulse")) {
                throw new AssertionError("ffmpeg 8.1 needs Debian's libpulse0; run the tests with ./test.sh, which installs it", e);
            }
            throw e;
        }
    }

    /** The bundled libraries link each other by plain sonames, so the folder goes first on the library path. */
    private static ProcessBuilder commandIn(Path dir, String tool, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(dir.resolve(tool).toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        String inherited = builder.environment().get("LD_LIBRARY_PATH");
        builder.environment().put("LD_LIBRARY_PATH", dir + (inherited == null || inherited.isEmpty() ? "" : ":" + inherited));
        return builder;
    }
}
