package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.ProcessTrees;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's "From sign-up to live", run with bash as printed against a real server, so the
 * first thing a new user copies keeps working. The commands are read from README.md itself; the
 * test changes only the port (its server listens on a free one) and leaves out the ffmpeg line:
 * with it the relay would connect to YouTube and Twitch for real (run by hand, it publishes).
 */
class ReadmeWalkthroughTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String FFMPEG_LINE = "ffmpeg -re -i show.mp4 -c copy -f flv \"rtmp://localhost:1935/live/$STREAM_KEY\"";

    @Test
    void theWalkthroughRunsAsPrintedAndAWrongPasswordStopsItAtTheLogin() throws Exception {
        Tools.require("bash", "curl", "sed");
        String walkthrough = walkthrough();
        assertTrue(walkthrough.contains(FFMPEG_LINE + "\n"), "the go-live line this test leaves out is still in README.md");
        try (RelayServer relay = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of()))) {
            String script = walkthrough.replace("http://localhost:8080", "http://127.0.0.1:" + relay.httpPort())
                    .replace(FFMPEG_LINE, ": the test does not go live");

            Run run = bash(script);
            assertEquals(0, run.exit(), run.toString());
            Matcher stream = Pattern.compile("^\\{\"id\":1,.*\"name\":\"Main show\".*$", Pattern.MULTILINE).matcher(run.stdout());
            assertTrue(stream.find(), "the created stream is printed: " + run);
            TestKeys.issued(new ObjectMapper().readTree(stream.group()).get("key").asText());
            TestKeys.issued("YOUR_YOUTUBE_KEY");
            TestKeys.issued("YOUR_TWITCH_KEY");
            String[] lines = run.stdout().strip().split("\n");
            JsonNode destinations = new ObjectMapper().readTree(lines[lines.length - 1]);
            assertEquals(List.of("youtube", "twitch"), destinations.findValuesAsText("platform"), "the last line lists both: " + run);

            String wrongPassword = script.replaceFirst("(auth/login -d '\\{\"email\":\"me@example.com\",\"password\":\")a long passphrase",
                    "$1not the passphrase");
            assertNotEquals(script, wrongPassword);
            Run refused = bash(wrongPassword);
            assertNotEquals(0, refused.exit(), "a failed login stops the walkthrough: " + refused);
            assertTrue(refused.stderr().contains("error: 401"), refused.toString());
            assertTrue(refused.stderr().contains("TOKEN: login failed"), refused.toString());
            assertEquals(1, relay.database().streams().count(), "nothing after the login ran");
        }
    }

    /**
     * A walkthrough that hangs (here: curl against a port that accepts and never answers) is
     * killed at the timeout with everything it started, so it cannot leave a curl, or a server a
     * later README might start, running after the test.
     */
    @Test
    void aHungWalkthroughIsKilledWithEverythingItStarted() throws Exception {
        Tools.require("bash", "curl");
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "readme-hung-");
            Path pidFile = dir.resolve("curl.pid");
            String script = "curl -s http://127.0.0.1:" + silent.getLocalPort() + "/ &\necho $! > " + pidFile + "\nwait $!\n";

            AssertionError timedOut = assertThrows(AssertionError.class, () -> bash(script, Duration.ofSeconds(5)));
            assertTrue(timedOut.getMessage().contains("did not finish within 5 s"), timedOut.getMessage());
            long curl = Long.parseLong(Files.readString(pidFile).strip());
            // kill() waits for every process it killed: curl is gone by the time bash() returns.
            assertFalse(ProcessHandle.of(curl).map(ProcessHandle::isAlive).orElse(false), "curl " + curl + " was left running");
        }
    }

    /** The first sh block after the "From sign-up to live" heading. */
    private static String walkthrough() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int section = readme.indexOf("## From sign-up to live");
        assertTrue(section >= 0, "README.md has its walkthrough");
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        return readme.substring(start, readme.indexOf("```\n", start));
    }

    private record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** bash -e, as a script pasted into a file and run stops at its first failing command. */
    private static Run bash(String script) throws Exception {
        return bash(script, Duration.ofSeconds(60));
    }

    private static Run bash(String script, Duration timeout) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "readme-");
        Path file = Files.writeString(dir.resolve("walkthrough.sh"), script);
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process bash = new ProcessBuilder("bash", "-e", file.toString()).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!bash.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            // bash alone would leave its children (curl, a server it started) running, orphaned.
            ProcessTrees.kill(bash.toHandle());
            throw new AssertionError("the walkthrough did not finish within " + timeout.toSeconds() + " s");
        }
        return new Run(bash.exitValue(), Files.readString(out), Files.readString(err));
    }
}
