package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Local stand-ins for the Dockerfile's base images (maven:3.9-eclipse-temurin-17 and
 * eclipse-temurin:17-jre), made from Debian packages because no public image registry is
 * reachable from the test machines: a minbase bookworm from debootstrap, imported, then extended
 * with a JDK and Maven, or a JRE and curl. Each is built only when the engine does not have it
 * yet; the debootstrap tarball is kept under target/ for the next run.
 */
final class DockerBaseImages {
    static final String DEBIAN = "streamhelper-test/debian:bookworm-minbase";
    static final String BUILD = "streamhelper-test/maven:bookworm-jdk17";
    static final String RUN = "streamhelper-test/jre:bookworm-17";

    private DockerBaseImages() {
    }

    static void ensure(DockerEngine docker, Path cacheDir, Path log) throws IOException {
        if (!exists(docker, DEBIAN)) {
            Path tar = cacheDir.resolve("bookworm-minbase.tar");
            if (!Files.exists(tar)) {
                debootstrap(cacheDir, tar, log);
            }
            Commands.Result imported = Commands.run(Duration.ofMinutes(3), log, List.of("docker", "import", tar.toString(), DEBIAN));
            assertTrue(imported.ok(), "docker import:\n" + imported.tail());
        }
        extend(docker, BUILD, "openjdk-17-jdk-headless maven", log);
        extend(docker, RUN, "openjdk-17-jre-headless curl", log);
    }

    private static boolean exists(DockerEngine docker, String image) {
        return docker.docker(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}", image).ok();
    }

    /** The base plus Debian packages; host networking because apt needs the machine's mirror. */
    private static void extend(DockerEngine docker, String image, String packages, Path log) {
        if (exists(docker, image)) {
            return;
        }
        String dockerfile = "FROM " + DEBIAN + "\n"
                + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
                + packages + " && rm -rf /var/lib/apt/lists/*\n";
        Commands.Result built = Commands.run(Duration.ofMinutes(10), log, Map.of(), dockerfile,
                List.of("docker", "build", "--network", "host", "-t", image, "-"));
        assertTrue(built.ok(), "building " + image + ":\n" + built.tail());
    }

    private static void debootstrap(Path cacheDir, Path tar, Path log) throws IOException {
        assertTrue(Tools.find("debootstrap") != null, "debootstrap is not installed: ./test.sh installs it");
        Path rootfs = cacheDir.resolve("rootfs");
        Commands.run(Duration.ofMinutes(1), log, List.of("rm", "-rf", rootfs.toString()));
        Files.createDirectories(cacheDir);
        Commands.Result made = Commands.run(Duration.ofMinutes(10), log,
                List.of("debootstrap", "--variant=minbase", "bookworm", rootfs.toString(), debianMirror()));
        assertTrue(made.ok(), "debootstrap:\n" + made.tail());
        Path partial = cacheDir.resolve("bookworm-minbase.tar.partial");
        Commands.Result packed = Commands.run(Duration.ofMinutes(3), log,
                List.of("tar", "-C", rootfs.toString(), "-cf", partial.toString(), "."));
        assertTrue(packed.ok(), "tar:\n" + packed.tail());
        Files.move(partial, tar);
        Commands.run(Duration.ofMinutes(1), log, List.of("rm", "-rf", rootfs.toString()));
    }

    /** The Debian mirror the machine's apt sources name for bookworm (one-line or deb822 form). */
    static String debianMirror() throws IOException {
        List<Path> files = new ArrayList<>();
        Path main = Path.of("/etc/apt/sources.list");
        if (Files.exists(main)) {
            files.add(main);
        }
        Path dir = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                list.sorted().forEach(files::add);
            }
        }
        Pattern oneLine = Pattern.compile("^deb\\s+(?:\\[[^]]*]\\s+)?(\\S+)\\s+bookworm\\s", Pattern.MULTILINE);
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher m = oneLine.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            for (String stanza : text.split("\\n\\s*\\n")) {
                Matcher uris = Pattern.compile("^URIs:\\s*(\\S+)", Pattern.MULTILINE).matcher(stanza);
                if (uris.find() && Pattern.compile("^Suites:.*\\bbookworm(\\s|$)", Pattern.MULTILINE).matcher(stanza).find()) {
                    return uris.group(1);
                }
            }
        }
        return "http://deb.debian.org/debian";
    }
}
