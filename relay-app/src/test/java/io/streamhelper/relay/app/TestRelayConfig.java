package io.streamhelper.relay.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment a test relay starts with: loopback only, free ports, its own data directory
 * under target/, private destinations allowed (the test peers listen on 127.0.0.1), and no
 * publisher grace (a lost publisher ends its stream at once).
 */
final class TestRelayConfig {
    private TestRelayConfig() {
    }

    /** The defaults above plus the given name/value pairs, which win. */
    static RelayConfig with(String... nameValuePairs) {
        return RelayConfig.fromEnvironment(env(nameValuePairs));
    }

    /**
     * One node of several on one database: the pairs they share (the database, ENCRYPTION_KEY)
     * and this node's own RELAY_NODE_ID.
     */
    static RelayConfig node(String nodeId, String... shared) {
        String[] env = java.util.Arrays.copyOf(shared, shared.length + 2);
        env[shared.length] = "RELAY_NODE_ID";
        env[shared.length + 1] = nodeId;
        return with(env);
    }

    static Map<String, String> env(String... nameValuePairs) {
        Map<String, String> env = new HashMap<>();
        env.put("RELAY_BIND_ADDRESS", "127.0.0.1");
        env.put("RELAY_RTMP_PORT", "0");
        env.put("RELAY_HTTP_PORT", "0");
        env.put("RELAY_ALLOW_PRIVATE_DESTINATIONS", "true");
        env.put("RELAY_DATA_DIR", freshDataDir().toString());
        // No publisher grace unless a test asks for one: most tests kill or stop a publisher and
        // expect its destinations to end at once, as a server with RELAY_PUBLISHER_GRACE_S=0 does.
        env.put("RELAY_PUBLISHER_GRACE_S", "0");
        // RELAY_TRANSPORT=io_uring ./test.sh runs the relay tests on io_uring (the default is NIO).
        String transport = System.getenv("RELAY_TRANSPORT");
        if (transport != null && !transport.isBlank()) {
            env.put("RELAY_TRANSPORT", transport);
        }
        for (int i = 0; i + 1 < nameValuePairs.length; i += 2) {
            env.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return env;
    }

    static Path freshDataDir() {
        try {
            Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
            return Files.createTempDirectory(target, "data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
