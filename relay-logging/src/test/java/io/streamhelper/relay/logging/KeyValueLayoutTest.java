package io.streamhelper.relay.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Through the real backend: SLF4J, Logback, the logback.xml this module ships, the console
 * appender. Logback's console appender looks System.out up on every write, so swapping it
 * captures exactly the bytes the server would print.
 */
class KeyValueLayoutTest {
    private static final Logger log = LoggerFactory.getLogger(KeyValueLayoutTest.class);
    private final Object owner = new Object();

    private static List<String> linesLoggedBy(Runnable logging) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void anEventIsOneKeyValueLine() {
        List<String> lines = linesLoggedBy(() -> log.info("event=publish_start stream={} destinations={}", "s1", 2));
        assertEquals(1, lines.size(), lines.toString());
        String line = lines.get(0);
        assertTrue(line.matches("ts=\\d{4}-\\d\\d-\\d\\dT\\S+Z level=INFO thread=\\S+ logger=\\S+ event=publish_start stream=s1 destinations=2"),
                line);
    }

    @Test
    void otherLibrariesMessagesAreQuotedAsMsg() {
        String line = linesLoggedBy(() -> LoggerFactory.getLogger("org.example.Library").warn("Started \"thing\" on port 80")).get(0);
        assertTrue(line.endsWith(" level=WARN thread=" + Thread.currentThread().getName()
                + " logger=org.example.Library msg=\"Started \\\"thing\\\" on port 80\""), line);
    }

    @Test
    void anExceptionWhoseMessageHoldsAKnownKeyIsOneRedactedLine() {
        String key = TestKeys.destination();
        KnownSecrets.register(owner, key);
        Exception cause = new IllegalStateException("refused " + key + "\nsecond line of the message");
        List<String> lines = linesLoggedBy(() -> log.error("event=destination_state stream=s1 destination=d1 to=FAILED",
                new RuntimeException("wrapper around " + key, cause)));
        assertEquals(1, lines.size(), "stack trace folded into the event's line: " + lines);
        String line = lines.get(0);
        assertFalse(line.contains(key), line);
        assertTrue(line.contains("exception=\"java.lang.RuntimeException: wrapper around *** | at "), line);
        assertTrue(line.contains("Caused by: java.lang.IllegalStateException: refused *** | second line"), line);
    }

    @Test
    void aUrlWithAnUnknownKeyIsRedactedByItsShape() {
        String key = TestKeys.ingest(); // never registered
        String line = linesLoggedBy(() -> LoggerFactory.getLogger("io.netty.Whatever")
                .warn("could not connect to rtmps://live.example.com:443/app/" + key)).get(0);
        assertFalse(line.contains(key), line);
        assertTrue(line.contains("rtmps://live.example.com:443/app/***"), line);
    }

    @Test
    void aKeyPassedAsAnArgumentOrInAThreadNameIsRedacted() {
        String key = TestKeys.token();
        KnownSecrets.register(owner, key);
        String[] line = new String[1];
        Thread named = new Thread(() -> line[0] = linesLoggedBy(() -> log.info("event=x value={}", key)).get(0), "worker-" + key);
        named.start();
        try {
            named.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertFalse(line[0].contains(key), line[0]);
        assertTrue(line[0].contains("thread=worker-*** "), line[0]);
    }
}
