package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The production Dockerfile and docker-compose.yaml in a real Docker engine, as an operator uses
 * them: the image built through Compose, started, healthy, set up through the published API port,
 * streamed through from the published RTMP port to an nginx-rtmp on the host, stopped (exit 0
 * within stop_grace_period, the destination told), started again with its data still in the
 * volume. Base images are made from Debian packages and Maven reads the host's local repository
 * (no registry or Maven Central here); a test override file gives only those build arguments,
 * host networking for the build (apt and the loopback mirror), free host ports, and permission
 * for a destination on a private address (the host's nginx, reached at the network's gateway).
 */
class DockerComposeDeploymentTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern TRANSPORT = Pattern.compile("RTMP event loops on (io_uring|Java NIO)");
    private static final Duration STOP_GRACE = Duration.ofSeconds(10); // docker-compose.yaml's stop_grace_period

    @Test
    void composeBuildsStreamsStopsCleanlyAndKeepsItsData() throws Exception {
        Tools.require("ffmpeg", "ffprobe", "nginx");
        Tools.require("docker-compose"); // Debian's Compose v1; ./test.sh installs it with docker.io
        Instant begin = Instant.now();
        Path work = Files.createDirectories(Path.of("target", "docker-test").toAbsolutePath());
        Path log = work.resolve("steps.log");
        Files.deleteIfExists(log);
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 30);
        String project = "relaytest" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        int rtmpPort = FreePorts.allocate();
        int httpPort = FreePorts.allocate();
        String destinationKey = TestKeys.destination();
        List<String> timings = new ArrayList<>();

        try (DockerEngine docker = DockerEngine.ensure(work);
                MavenRepositoryServer mirror = new MavenRepositoryServer(MavenRepositoryServer.localRepository())) {
            timings.add("engine " + since(begin) + (docker.startedHere() ? " (dockerd started by the test)" : ""));
            DockerBaseImages.ensure(docker, Path.of("target", "docker-cache").toAbsolutePath(), log);
            timings.add("base images " + since(begin));

            Path override = Files.writeString(work.resolve("compose.test.yaml"), "services:\n  relay:\n"
                    + "    image: streamhelper-relay:compose-test\n"
                    // The destination is an nginx on the host, at the network's private gateway.
                    + "    environment:\n      RELAY_ALLOW_PRIVATE_DESTINATIONS: \"true\"\n"
                    + "    build:\n      network: host\n      args:\n"
                    + "        BUILD_IMAGE: " + DockerBaseImages.BUILD + "\n"
                    + "        RUN_IMAGE: " + DockerBaseImages.RUN + "\n"
                    + "        MAVEN_MIRROR_URL: " + mirror.url() + "\n");
            Compose compose = new Compose(project, override, Map.of(
                    "RELAY_RTMP_PUBLISH", "127.0.0.1:" + rtmpPort, "RELAY_HTTP_PUBLISH", "127.0.0.1:" + httpPort), log);
            try {
                compose.ok(Duration.ofMinutes(15), "build", "relay");
                timings.add("image " + since(begin));
                compose.ok(Duration.ofMinutes(2), "up", "-d", "relay");
                String container = compose.ok(Duration.ofSeconds(30), "ps", "-q", "relay").strip();
                awaitHealthy(docker, container);
                timings.add("healthy " + since(begin));
                assertEquals("relay", inspect(docker, container, "{{.Config.User}}"), "the image runs as its unprivileged user");

                String gateway = docker.docker(Duration.ofSeconds(30), "network", "inspect", "--format",
                        "{{range .IPAM.Config}}{{.Gateway}}{{end}}", project + "_default").output().strip();
                assertTrue(gateway.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"), "the compose network's gateway: " + gateway);

                RelayHttp api = new RelayHttp(httpPort);
                try (HookServer hooks = new HookServer();
                        NginxRtmp nginx = NginxRtmp.start(work.resolve("nginx-" + project),
                                NginxRtmp.options().hooks(hooks).alsoListenOn(gateway))) {
                    String token = api.signUpAndLogin("operator@example.com", "a long passphrase");
                    JsonNode stream = api.call("POST", "/api/v1/streams", "{\"name\":\"Docker show\"}", token, 201);
                    long streamId = stream.get("id").asLong();
                    String ingestKey = TestKeys.issued(stream.get("key").asText());
                    // The container reaches the host's nginx through its network's gateway.
                    api.call("POST", "/api/v1/stream-destinations", "{\"streamId\":" + streamId + ",\"platform\":\"custom\","
                            + "\"rtmpUrl\":\"rtmp://" + gateway + ":" + nginx.rtmpPort() + "/live\",\"streamKey\":\""
                            + destinationKey + "\",\"displayName\":\"nginx on the host\"}", token, 201);

                    Process publisher = Ffmpeg.publishLooping(clip, "rtmp://127.0.0.1:" + rtmpPort + "/live/" + ingestKey,
                            work.resolve("publisher.log"));
                    try {
                        await().atMost(Duration.ofSeconds(30)).until(() -> hooks.saw("publish", destinationKey));
                        Ffmpeg.ProbeResult probe = Ffmpeg.probe(nginx.rtmpUrl() + "/" + destinationKey, Duration.ofSeconds(20));
                        assertEquals("h264", probe.video().orElseThrow().codecName(), "the destination receives the video");
                        assertEquals("aac", probe.audio().orElseThrow().codecName(), "and the audio");
                        timings.add("streamed " + since(begin));

                        // docker-compose stop while live: SIGTERM must reach the JVM, which ends the
                        // destination with FCUnpublish/deleteStream and exits 0 before the grace
                        // period's SIGKILL (which would make the exit code 137).
                        Instant stopping = Instant.now();
                        compose.ok(STOP_GRACE.plusSeconds(30), "stop", "relay");
                        Duration stopTook = Duration.between(stopping, Instant.now());
                        assertEquals("0", inspect(docker, container, "{{.State.ExitCode}}"),
                                "the relay exits 0 on docker-compose stop:\n" + compose.logs());
                        assertTrue(stopTook.compareTo(STOP_GRACE) < 0, "stopped in " + stopTook + ", within stop_grace_period");
                        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", destinationKey));
                        timings.add("stopped in " + stopTook.toMillis() + " ms, at " + since(begin));
                    } finally {
                        publisher.destroy();
                        publisher.waitFor();
                    }

                    String firstRun = compose.logs();
                    compose.ok(Duration.ofMinutes(1), "start", "relay");
                    awaitHealthy(docker, container);
                    String again = TestKeys.issued(api.call("POST", "/api/v1/auth/login",
                            "{\"email\":\"operator@example.com\",\"password\":\"a long passphrase\"}", null, 200).get("token").asText());
                    JsonNode kept = api.call("GET", "/api/v1/streams/" + streamId, null, again, 200);
                    assertEquals("Docker show", kept.get("name").asText(), "the stream is still in the volume");
                    JsonNode destinations = api.call("GET", "/api/v1/stream-destinations/stream/" + streamId, null, again, 200);
                    assertEquals(List.of("nginx on the host"), destinations.findValuesAsText("displayName"),
                            "and its destination: " + destinations);
                    timings.add("restarted with its data " + since(begin));

                    Matcher transport = TRANSPORT.matcher(firstRun);
                    assertTrue(transport.find(), "the relay logs its transport:\n" + firstRun);
                    System.out.println(compose.logs());
                    // test.sh prints this line at the end of the run.
                    System.out.println("DockerComposeDeploymentTest: in Docker " + docker.serverVersion() + " the relay's "
                            + transport.group() + "; " + String.join(", ", timings));
                }
            } finally {
                compose.run(Duration.ofMinutes(2), "down", "-v", "--remove-orphans");
            }
        }
    }

    private static String since(Instant begin) {
        return Duration.between(begin, Instant.now()).toSeconds() + " s";
    }

    private static String inspect(DockerEngine docker, String container, String format) {
        Commands.Result r = docker.docker(Duration.ofSeconds(30), "inspect", "--format", format, container);
        assertTrue(r.ok(), "docker inspect:\n" + r.tail());
        return r.output().strip();
    }

    /** The image's own HEALTHCHECK (curl on the health route, every 15 s) says healthy. */
    private static void awaitHealthy(DockerEngine docker, String container) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String status = inspect(docker, container, "{{.State.Status}} {{.State.Health.Status}}");
            if (status.startsWith("exited") || status.startsWith("dead")) {
                throw new AssertionError("the container stopped: " + status + "\n"
                        + docker.docker(Duration.ofSeconds(30), "logs", container).output());
            }
            return status.equals("running healthy");
        });
    }

    /** docker-compose (v1, Debian's) on the production file plus the test's override. */
    private static final class Compose {
        private final List<String> base;
        private final Map<String, String> env;
        private final Path log;

        Compose(String project, Path override, Map<String, String> env, Path log) {
            this.base = List.of("docker-compose", "--ansi", "never", "-p", project, "-f", REPO.resolve("docker-compose.yaml").toString(),
                    "-f", override.toString());
            this.env = env;
            this.log = log;
        }

        Commands.Result run(Duration timeout, String... args) {
            List<String> command = new ArrayList<>(base);
            command.addAll(List.of(args));
            return Commands.run(timeout, log, env, null, command);
        }

        String ok(Duration timeout, String... args) {
            Commands.Result r = run(timeout, args);
            assertEquals(0, r.exit(), "docker-compose " + String.join(" ", args) + ":\n" + r.tail());
            return r.output();
        }

        String logs() {
            return run(Duration.ofSeconds(30), "logs", "--no-color", "relay").output();
        }
    }
}
