package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/multi-node's files as the real programs read them: nginx ({@code nginx -t}), HAProxy
 * ({@code haproxy -c}, warnings as errors) and Docker Compose ({@code config}, no engine needed),
 * and what docs/deployment.md promises is in them (source affinity, health checks, every node its
 * own id and data volume, one database and one ENCRYPTION_KEY for all).
 */
class MultiNodeDeploymentFilesTest {
    private static final Path DIR = Path.of("..", "deploy", "multi-node").toAbsolutePath().normalize();

    @Test
    void nginxAcceptsTheBalancerConfigAndItKeepsSourceAffinityAndFailover() throws Exception {
        Tools.require("nginx");
        String config = Files.readString(DIR.resolve("nginx.conf"));
        assertTrue(config.contains("hash $remote_addr consistent;"), "RTMP keeps an encoder on its node");
        assertTrue(config.contains("proxy_next_upstream on;"), "a refusing node is skipped");
        assertTrue(config.contains("X-Forwarded-For"), "the API sees each client's address");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "multi-node-nginx-");
        // The service names resolve only inside Compose; nginx resolves upstreams while testing.
        // Its modules come from this machine's path instead of Debian's modules-enabled include,
        // which is relative to a prefix the test replaces.
        String testCopy = withLoopbackNodes(config).replace("include /etc/nginx/modules-enabled/*.conf;",
                "load_module " + Tools.nginxModulesDir().resolve("ngx_stream_module.so") + ";");
        assertNotEquals(config, testCopy);
        Files.writeString(work.resolve("nginx.conf"), testCopy);
        Files.createDirectories(work.resolve("logs"));
        Result result = run(Map.of(), Tools.find("nginx").toString(), "-t", "-p", work.toString(), "-e", work.resolve("error.log").toString(),
                "-c", work.resolve("nginx.conf").toString(), "-g", "pid " + work.resolve("nginx.pid") + ";");
        assertEquals(0, result.exit(), "nginx -t:\n" + result.output());
        assertTrue(result.output().contains("test is successful"), result.output());

        // As shipped but for the names, with nginx's own prefix: Debian's modules-enabled include
        // loads the stream module (libnginx-mod-stream installs it there).
        Files.writeString(work.resolve("as-shipped.conf"), withLoopbackNodes(config));
        Result shipped = run(Map.of(), Tools.find("nginx").toString(), "-t", "-e", work.resolve("error.log").toString(),
                "-c", work.resolve("as-shipped.conf").toString(), "-g", "pid " + work.resolve("nginx.pid") + ";");
        assertEquals(0, shipped.exit(), "nginx -t with Debian's module include:\n" + shipped.output());
    }

    @Test
    void haproxyAcceptsItsConfigWithoutAWarning() throws Exception {
        Tools.require("haproxy");
        String config = Files.readString(DIR.resolve("haproxy.cfg"));
        assertTrue(config.contains("balance source") && config.contains("hash-type consistent"), "source affinity for RTMP");
        assertTrue(config.contains("option httpchk GET /api/v1/server/healthcheck"), "active health checks");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "multi-node-haproxy-");
        Files.writeString(work.resolve("haproxy.cfg"), withLoopbackNodes(config));
        // -dW: any warning fails the check (the original's only warnings would be the unresolvable names).
        Result strict = run(Map.of(), Tools.find("haproxy").toString(), "-dW", "-c", "-f", work.resolve("haproxy.cfg").toString());
        assertEquals(0, strict.exit(), "haproxy -dW -c:\n" + strict.output());
        Result original = run(Map.of(), Tools.find("haproxy").toString(), "-c", "-f", DIR.resolve("haproxy.cfg").toString());
        assertEquals(0, original.exit(), "haproxy -c on the file as shipped:\n" + original.output());
    }

    @Test
    void composeRunsTwoNodesWithTheirOwnIdsOnOneDatabaseAndKeyBehindNginx() throws Exception {
        String key = TestKeys.encryptionKeyHex();
        String password = TestKeys.token();
        Result result = compose(Map.of("ENCRYPTION_KEY", key, "POSTGRES_PASSWORD", password));
        String resolved = result.output().replace(key, "<ENCRYPTION_KEY>").replace(password, "<POSTGRES_PASSWORD>");
        assertEquals(0, result.exit(), "docker compose config:\n" + resolved);

        for (String node : List.of("relay-a", "relay-b")) {
            String service = service(resolved, node);
            String id = node.equals("relay-a") ? "node-a" : "node-b";
            assertTrue(service.contains("RELAY_NODE_ID: " + id), node + " has its own id:\n" + service);
            assertTrue(service.contains("RELAY_DATABASE_URL: jdbc:postgresql://postgres:5432/relay"), node + ": one database\n" + service);
            assertTrue(service.contains("ENCRYPTION_KEY: <ENCRYPTION_KEY>"), node + ": the shared key\n" + service);
            assertTrue(service.contains("RELAY_DATABASE_PASSWORD: <POSTGRES_PASSWORD>"), service);
            assertTrue(service.contains(node + "-data:/data"), node + ": its own data volume\n" + service);
            assertTrue(service.contains("/api/v1/server/healthcheck"), node + ": health check\n" + service);
            assertTrue(service.contains("RELAY_TRUSTED_PROXIES: 172.31.250.10"), service);
            assertTrue(!service.contains("published:"), node + " publishes no port of its own: encoders go through nginx\n" + service);
        }
        String nginx = service(resolved, "nginx");
        assertTrue(nginx.contains("published: 1935") && nginx.contains("published: 8080"), nginx);
        assertTrue(nginx.contains("nginx.conf:/etc/nginx/nginx.conf:ro"), nginx);
        assertTrue(nginx.contains("ipv4_address: 172.31.250.10"), "the address the nodes trust:\n" + nginx);

        // Without the shared key Compose refuses to start anything rather than let each node make its own.
        Result missing = compose(Map.of("POSTGRES_PASSWORD", password));
        assertNotEquals(0, missing.exit(), missing.output().replace(password, "<POSTGRES_PASSWORD>"));
        assertTrue(missing.output().contains("ENCRYPTION_KEY"), missing.output().replace(password, "<POSTGRES_PASSWORD>"));
    }

    private static Result compose(Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>();
        if (run(Map.of(), "docker", "compose", "version").exit() == 0) {
            command.addAll(List.of("docker", "compose"));
        } else {
            Tools.require("docker-compose");
            command.add("docker-compose");
        }
        command.addAll(List.of("-f", DIR.resolve("docker-compose.yaml").toString(), "config"));
        return run(env, command.toArray(new String[0]));
    }

    /** The block of one service in {@code config}'s output: from its name to the next service's. */
    private static String service(String resolved, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + ":\\n((?:    .*\\n|\\s*\\n)*)").matcher(resolved);
        assertTrue(m.find(), "no service " + name + " in:\n" + resolved);
        return m.group(1);
    }

    /** The file with the Compose service names of the nodes replaced by loopback addresses. */
    private static String withLoopbackNodes(String config) {
        return config.replace("relay-a:", "127.0.0.1:").replace("relay-b:", "127.0.0.2:");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Map<String, String> env, String... command) throws Exception {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            // Only what the test gives: an operator's own ENCRYPTION_KEY in this shell must not decide the result.
            builder.environment().keySet().removeIf(n -> n.equals("ENCRYPTION_KEY") || n.equals("POSTGRES_PASSWORD"));
            builder.environment().putAll(env);
            Process p = builder.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }
}
