package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The production compose file as Docker Compose itself reads it ({@code config} validates and
 * resolves it without a Docker engine): what an operator relies on is in it.
 */
class DockerComposeFileTest {

    @Test
    void composeFileValidatesAndKeepsWhatOperatorsRelyOn() throws Exception {
        Path file = Path.of("..", "docker-compose.yaml").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>();
        if (works("docker", "compose", "version")) {
            command.addAll(List.of("docker", "compose"));
        } else {
            Tools.require("docker-compose"); // ./test.sh installs Debian's docker-compose when neither is there
            command.add("docker-compose");
        }
        command.addAll(List.of("-f", file.toString(), "config"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String resolved = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "docker compose config:\n" + resolved);

        assertTrue(resolved.contains("1935") && resolved.contains("8080"), "both ports are published:\n" + resolved);
        assertTrue(resolved.contains("stop_grace_period: 10s"), "docker stop waits for the 8 s shutdown:\n" + resolved);
        assertTrue(resolved.contains("/api/v1/server/healthcheck"), "the health check is wired:\n" + resolved);
        assertTrue(resolved.contains("relay-data:/data") && resolved.contains("RELAY_DATA_DIR: /data"),
                "the database lives in a volume:\n" + resolved);
        assertTrue(Files.readString(file).contains("ENCRYPTION_KEY"), "the encryption key setting is documented");
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
