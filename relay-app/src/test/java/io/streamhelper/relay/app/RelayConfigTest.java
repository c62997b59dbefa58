package io.streamhelper.relay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.stream.AudioHold;
import io.streamhelper.relay.rtmp.transport.Transport;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayConfigTest {

    @Test
    void defaults() {
        RelayConfig config = RelayConfig.fromEnvironment(Map.of());
        assertEquals(1935, config.rtmpPort());
        assertEquals(8080, config.httpPort());
        assertEquals("0.0.0.0", config.bindAddress());
        assertEquals(Duration.ofSeconds(10), config.publishIdleTimeout());
        assertTrue(config.trustedCaFile().isEmpty());
    }

    @Test
    void theNodeIdIsRelayNodeIdOrTheHostNameAndABadOneStopsTheServer() {
        assertEquals("relay-a.eu_1", RelayConfig.fromEnvironment(Map.of("RELAY_NODE_ID", " relay-a.eu_1 ")).nodeId());
        assertEquals("box7", RelayConfig.fromEnvironment(Map.of("HOSTNAME", "box7")).nodeId(), "Docker's HOSTNAME");
        assertTrue(RelayConfig.NODE_ID.matcher(RelayConfig.fromEnvironment(Map.of()).nodeId()).matches(),
                "the system's host name, made a valid id");
        assertEquals("a".repeat(63), RelayConfig.fromEnvironment(Map.of("HOSTNAME", "a".repeat(70))).nodeId());
        assertEquals("a".repeat(63), RelayConfig.fromEnvironment(Map.of("RELAY_NODE_ID", "a".repeat(63))).nodeId());
        for (String bad : new String[] {"a".repeat(64), "node a", "node/a", "nöde"}) {
            RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                    () -> RelayConfig.fromEnvironment(Map.of("RELAY_NODE_ID", bad)));
            assertTrue(e.getMessage().contains("RELAY_NODE_ID must be 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'"),
                    e.getMessage());
        }
    }

    @Test
    void audioWaitsForVideoUpTo40MillisecondsFrom16DestinationsOnNioAndNotOnIoUringUnlessSetOtherwise() {
        RelayConfig defaults = RelayConfig.fromEnvironment(Map.of());
        assertEquals(new AudioHold(40, 16), defaults.audioHold(Transport.NIO));
        assertEquals(new AudioHold(0, 16), defaults.audioHold(Transport.IO_URING), "io_uring's writes need no hold");
        RelayConfig held = RelayConfig.fromEnvironment(Map.of("RELAY_AUDIO_HOLD_MS", "40"));
        assertEquals(new AudioHold(40, 16), held.audioHold(Transport.IO_URING), "a hold that is set applies on any transport");
        assertEquals(new AudioHold(0, 16), RelayConfig.fromEnvironment(Map.of("RELAY_AUDIO_HOLD_MS", "0")).audioHold(Transport.NIO),
                "0 sends every tag at once");
        assertEquals(new AudioHold(40, 1), RelayConfig.fromEnvironment(Map.of("RELAY_AUDIO_HOLD_FROM", "1")).audioHold(Transport.NIO),
                "1 holds audio in every stream");
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_AUDIO_HOLD_MS", "-1", "RELAY_AUDIO_HOLD_FROM", "0")));
        assertTrue(e.getMessage().contains("RELAY_AUDIO_HOLD_MS must be between 0 and 1000"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_AUDIO_HOLD_FROM must be between 1 and 100000"), e.getMessage());
    }

    @Test
    void transportIsIoUringWhereItWorksUnlessNioIsAskedFor() {
        assertEquals("auto", RelayConfig.fromEnvironment(Map.of()).transport());
        assertEquals("auto", RelayConfig.fromEnvironment(Map.of("RELAY_TRANSPORT", "Auto")).transport());
        assertEquals("nio", RelayConfig.fromEnvironment(Map.of("RELAY_TRANSPORT", "nio")).transport());
        assertEquals("io_uring", RelayConfig.fromEnvironment(Map.of("RELAY_TRANSPORT", " IO_URING ")).transport());
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_TRANSPORT", "epoll")));
        assertTrue(e.getMessage().contains("RELAY_TRANSPORT must be one of nio, io_uring, auto, got 'epoll'"), e.getMessage());
    }

    @Test
    void trustedProxiesAreNoneByDefaultAndABadEntryStopsTheServer() {
        assertTrue(!RelayConfig.fromEnvironment(Map.of()).clientAddresses().trustsAnyProxy(), "nobody is trusted by default");
        assertTrue(RelayConfig.fromEnvironment(Map.of("RELAY_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"))
                .clientAddresses().trustsAnyProxy());
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_TRUSTED_PROXIES", "127.0.0.1, proxy.example.com")));
        assertTrue(e.getMessage().contains("RELAY_TRUSTED_PROXIES must be a comma-separated list of addresses and CIDR blocks: "
                + "'proxy.example.com' is not an IPv4 or IPv6 address or CIDR block"), e.getMessage());
        e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_TRUSTED_PROXIES", "10.0.0.0/40")));
        assertTrue(e.getMessage().contains("'10.0.0.0/40' has a prefix length that is not 0 to 32"), e.getMessage());
    }

    @Test
    void badValuesNameTheSetting() {
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_RTMP_PORT", "abc", "RELAY_HTTP_PORT", "70000",
                        "RELAY_TRUSTED_CA_FILE", "/does/not/exist.pem", "RELAY_LOG_LEVEL", "verbose")));
        assertTrue(e.getMessage().contains("RELAY_RTMP_PORT must be a whole number, got 'abc'"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_HTTP_PORT must be between 0 and 65535"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_TRUSTED_CA_FILE"), e.getMessage());
        assertTrue(e.getMessage().contains("RELAY_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got 'verbose'"),
                e.getMessage());
        assertEquals(8080, RelayConfig.fromEnvironment(Map.of("RELAY_LOG_LEVEL", "debug")).httpPort(), "any case is fine");
    }

    @Test
    void databaseSecretsAndLimitsAreCheckedAndNamed(@TempDir Path dir) throws Exception {
        RelayConfig config = RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.resolve("new").toString(),
                "RELAY_MAX_MESSAGE_BYTES", "1048576", "RELAY_MAX_CHUNK_STREAMS", "16", "RELAY_MAX_PUBLISHERS", "3",
                "RELAY_ALLOW_SIGNUP", "true"));
        assertTrue(Files.isDirectory(dir.resolve("new")), "the data directory is created");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("new"))), "and only the server's user may enter it");
        assertEquals(1_048_576, config.chunkLimits().maxMessageSize());
        assertEquals(16, config.chunkLimits().maxChunkStreams());
        assertEquals(3, config.maxPublishers());
        assertTrue(config.allowSignup());
        assertTrue(!config.allowPrivateDestinations(), "private destinations are refused unless asked for");

        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        String badKey = "zz" + "0".repeat(60);
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", notADirectory.toString(), "ENCRYPTION_KEY", badKey,
                        "RELAY_ALLOW_SIGNUP", "maybe", "RELAY_MAX_CHUNK_STREAMS", "2", "RELAY_MAX_PUBLISHERS", "0")));
        for (String setting : new String[] {"RELAY_DATA_DIR", "ENCRYPTION_KEY must be 64 hexadecimal characters",
                "RELAY_ALLOW_SIGNUP must be true or false", "RELAY_MAX_CHUNK_STREAMS", "RELAY_MAX_PUBLISHERS"}) {
            assertTrue(e.getMessage().contains(setting), setting + " in: " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains(badKey), "the key is never echoed: " + e.getMessage());
    }

    @Test
    void databaseIsSqliteInTheDataDirectoryUnlessRelayDatabaseUrlNamesPostgresql(@TempDir Path dir) {
        RelayConfig embedded = RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.toString()));
        assertTrue(embedded.database().isSqlite());
        assertEquals(dir.resolve("relay.db").toAbsolutePath().toString(), embedded.database().location());

        RelayConfig shared = RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.toString(),
                "RELAY_DATABASE_URL", "jdbc:postgresql://db.example.com:5433/relay",
                "RELAY_DATABASE_USER", "relay", "RELAY_DATABASE_PASSWORD", "pg-secret-91"));
        assertTrue(!shared.database().isSqlite());
        assertEquals("relay", shared.database().username());
        assertEquals("pg-secret-91", shared.database().password());
        assertEquals("postgresql://db.example.com:5433/relay", shared.database().location());
        assertTrue(!shared.toString().contains("pg-secret-91"), "the config prints no database password");

        for (String bad : new String[] {"postgres://db/relay?password=pg-secret-92", "jdbc:postgresql://db:notaport/relay?password=pg-secret-92",
                "jdbc:mysql://db/relay?password=pg-secret-92"}) {
            RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                    () -> RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.toString(), "RELAY_DATABASE_URL", bad)));
            assertTrue(e.getMessage().contains("RELAY_DATABASE_URL must be a PostgreSQL JDBC URL"), e.getMessage());
            assertTrue(!e.getMessage().contains("pg-secret-92"), "the URL, which may hold the password, is never echoed: " + e.getMessage());
        }
        RelayConfig.InvalidConfigException loginWithoutUrl = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.toString(), "RELAY_DATABASE_PASSWORD", "pg-secret-93")));
        assertTrue(loginWithoutUrl.getMessage().contains("RELAY_DATABASE_PASSWORD need RELAY_DATABASE_URL"), loginWithoutUrl.getMessage());
        assertTrue(!loginWithoutUrl.getMessage().contains("pg-secret-93"));
    }

    @Test
    void publishDeadlineAndIngestBufferBudgetAreReadAndChecked() {
        RelayConfig defaults = RelayConfig.fromEnvironment(Map.of());
        assertEquals(Duration.ofSeconds(5), defaults.publishDeadline());
        assertEquals(128L * 1024 * 1024, defaults.messageBuffers().budgetBytes());
        assertEquals(64 * 1024, defaults.messageBuffers().beforePublishBytes());
        assertEquals(8, defaults.messageBuffers().beforePublishChunkStreams());
        assertEquals(16L * 1024 * 1024, defaults.messageBuffers().perConnectionBytes(), "two messages of 8 MiB");

        RelayConfig set = RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISH_DEADLINE_MS", "2000",
                "RELAY_INGEST_BUFFER_BUDGET_BYTES", "33554432", "RELAY_MAX_MESSAGE_BYTES", "1048576"));
        assertEquals(Duration.ofSeconds(2), set.publishDeadline());
        assertEquals(32L * 1024 * 1024, set.messageBuffers().budgetBytes());
        assertEquals(2L * 1024 * 1024, set.messageBuffers().perConnectionBytes(), "follows the message size");

        RelayConfig.InvalidConfigException bounds = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISH_DEADLINE_MS", "100", "RELAY_INGEST_BUFFER_BUDGET_BYTES", "1000")));
        assertTrue(bounds.getMessage().contains("RELAY_PUBLISH_DEADLINE_MS must be between 500 and 60000"), bounds.getMessage());
        assertTrue(bounds.getMessage().contains("RELAY_INGEST_BUFFER_BUDGET_BYTES must be between 1048576"), bounds.getMessage());
        RelayConfig.InvalidConfigException small = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_INGEST_BUFFER_BUDGET_BYTES", "8388608")));
        assertTrue(small.getMessage().contains("must be at least twice RELAY_MAX_MESSAGE_BYTES (8388608)"), small.getMessage());
    }

    @Test
    void sessionHistoryKeeps50PerStreamByDefaultFrom1To1000() {
        assertEquals(50, RelayConfig.fromEnvironment(Map.of()).sessionHistory());
        assertEquals(1000, RelayConfig.fromEnvironment(Map.of("RELAY_SESSION_HISTORY", "1000")).sessionHistory());
        for (String bad : new String[] {"0", "1001", "many"}) {
            RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                    () -> RelayConfig.fromEnvironment(Map.of("RELAY_SESSION_HISTORY", bad)), bad);
            assertTrue(e.getMessage().contains("RELAY_SESSION_HISTORY"), e.getMessage());
        }
    }

    @Test
    void publisherGraceIs30SecondsByDefaultZeroTurnsItOffAndItsRangeIsChecked() {
        assertEquals(Duration.ofSeconds(30), RelayConfig.fromEnvironment(Map.of()).publisherGrace());
        assertEquals(Duration.ofSeconds(90), RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_GRACE_S", "90")).publisherGrace());
        assertEquals(Duration.ZERO, RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_GRACE_S", "0")).publisherGrace(),
                "0: a dropped publisher ends its stream at once");
        assertEquals(Duration.ofHours(1), RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_GRACE_S", "3600")).publisherGrace());
        for (String bad : new String[] {"-1", "3601", "30s"}) {
            RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                    () -> RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_GRACE_S", bad)), bad);
            assertTrue(e.getMessage().contains("RELAY_PUBLISHER_GRACE_S"), e.getMessage());
        }
        RelayConfig.InvalidConfigException range = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_GRACE_S", "3601")));
        assertTrue(range.getMessage().contains("RELAY_PUBLISHER_GRACE_S must be between 0 and 3600"), range.getMessage());
    }

    @Test
    void publisherTakeoverIs2SecondsByDefaultAndCannotBeZero() {
        assertEquals(Duration.ofMillis(2000), RelayConfig.fromEnvironment(Map.of()).publisherTakeover());
        assertEquals(Duration.ofMillis(100), RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_TAKEOVER_MS", "100")).publisherTakeover());
        assertEquals(Duration.ofMinutes(1), RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_TAKEOVER_MS", "60000")).publisherTakeover());
        // No 0: a newcomer would take over a publisher between two frames. The grace is what turns continuity off.
        for (String bad : new String[] {"0", "99", "60001"}) {
            RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                    () -> RelayConfig.fromEnvironment(Map.of("RELAY_PUBLISHER_TAKEOVER_MS", bad)), bad);
            assertTrue(e.getMessage().contains("RELAY_PUBLISHER_TAKEOVER_MS must be between 100 and 60000"), e.getMessage());
        }
    }

    @Test
    void rtmpsIsOffWithoutACertificateAndOnAt1936WithOne(@TempDir Path dir) throws Exception {
        RelayConfig plain = RelayConfig.fromEnvironment(Map.of());
        assertTrue(!plain.rtmpsEnabled() && plain.rtmpEnabled());
        Path cert = Files.writeString(dir.resolve("fullchain.pem"), "x");
        Path key = Files.writeString(dir.resolve("privkey.pem"), "x");
        RelayConfig tls = RelayConfig.fromEnvironment(Map.of("RELAY_TLS_CERT_FILE", cert.toString(), "RELAY_TLS_KEY_FILE", key.toString()));
        assertTrue(tls.rtmpsEnabled() && tls.rtmpEnabled());
        assertEquals(1936, tls.rtmpsPort());
        assertEquals(cert, tls.tlsFiles().orElseThrow().certificateChain());
        assertEquals(key, tls.tlsFiles().orElseThrow().privateKey());
        RelayConfig only = RelayConfig.fromEnvironment(Map.of("RELAY_TLS_CERT_FILE", cert.toString(),
                "RELAY_TLS_KEY_FILE", key.toString(), "RELAY_RTMP_ENABLED", "false", "RELAY_RTMPS_PORT", "443"));
        assertTrue(only.rtmpsEnabled() && !only.rtmpEnabled());
        assertEquals(443, only.rtmpsPort());
    }

    @Test
    void rtmpsSettingsThatCannotWorkStopTheServerSayingWhy(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("fullchain.pem"), "x");
        Map<String, String> halfPair = Map.of("RELAY_TLS_CERT_FILE", cert.toString());
        assertRefused(halfPair, "RTMPS needs both RELAY_TLS_CERT_FILE");
        assertRefused(Map.of("RELAY_TLS_CERT_FILE", cert.toString(), "RELAY_TLS_KEY_FILE", dir.resolve("missing.pem").toString()),
                "RELAY_TLS_KEY_FILE points to " + dir.resolve("missing.pem") + ", which is not a readable file");
        assertRefused(Map.of("RELAY_RTMP_ENABLED", "false"), "RELAY_RTMP_ENABLED=false needs RTMPS");
        assertRefused(Map.of("RELAY_RTMPS_PORT", "1936"), "RELAY_RTMPS_PORT is set but RTMPS is off");
        assertRefused(Map.of("RELAY_TLS_CERT_FILE", cert.toString(), "RELAY_TLS_KEY_FILE", cert.toString(),
                "RELAY_RTMPS_PORT", "1935"), "RTMPS needs a port of its own");
    }

    private static void assertRefused(Map<String, String> env, String expected) {
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(env), env.toString());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aSettingsFileSitsUnderTheEnvironmentAndRefusesUnknownNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("relay.properties");
        Files.writeString(file, "# operator settings\nRELAY_HTTP_PORT=9090\nRELAY_RTMP_PORT = 2000\nRELAY_DATA_DIR="
                + dir.resolve("data").toString().replace("\\", "/") + "\n");
        RelayConfig config = RelayConfig.fromEnvironment(ConfigFile.merge(Map.of(
                "RELAY_CONFIG_FILE", file.toString(), "RELAY_RTMP_PORT", "3000")));
        assertEquals(9090, config.httpPort(), "from the file");
        assertEquals(3000, config.rtmpPort(), "the environment wins");
        assertEquals(dir.resolve("data"), config.dataDir());

        Files.writeString(file, "RELAY_HTTP_PROT=9090\n");
        RelayConfig.InvalidConfigException typo = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> ConfigFile.merge(Map.of("RELAY_CONFIG_FILE", file.toString())));
        assertTrue(typo.getMessage().contains("RELAY_HTTP_PROT"), typo.getMessage());
        Files.writeString(file, "HTTP_PORT=9090\n");
        assertThrows(RelayConfig.InvalidConfigException.class, () -> ConfigFile.merge(Map.of("RELAY_CONFIG_FILE", file.toString())));
        RelayConfig.InvalidConfigException missing = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> ConfigFile.merge(Map.of("RELAY_CONFIG_FILE", dir.resolve("nope.properties").toString())));
        assertTrue(missing.getMessage().contains("RELAY_CONFIG_FILE"), missing.getMessage());
    }

    @Test
    void aPreviousEncryptionKeyNeedsTheCurrentOneAndIsNeverEchoed(@TempDir Path dir) {
        String current = io.streamhelper.relay.testkit.TestKeys.encryptionKeyHex();
        String previous = io.streamhelper.relay.testkit.TestKeys.encryptionKeyHex();
        RelayConfig config = RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.toString(),
                "ENCRYPTION_KEY", current, "ENCRYPTION_KEY_PREVIOUS", previous));
        assertEquals(previous, config.encryptionKeyPrevious().orElseThrow().reveal());

        String badKey = "zz" + "1".repeat(62);
        RelayConfig.InvalidConfigException e = assertThrows(RelayConfig.InvalidConfigException.class,
                () -> RelayConfig.fromEnvironment(Map.of("RELAY_DATA_DIR", dir.toString(), "ENCRYPTION_KEY_PREVIOUS", badKey)));
        assertTrue(e.getMessage().contains("ENCRYPTION_KEY_PREVIOUS must be 64 hexadecimal characters"), e.getMessage());
        assertTrue(e.getMessage().contains("ENCRYPTION_KEY_PREVIOUS needs ENCRYPTION_KEY"), e.getMessage());
        assertTrue(!e.getMessage().contains(badKey), "the key is never echoed: " + e.getMessage());
    }

    @Test
    void everySettingIsDocumentedAndEveryNameTheCodeReadsIsASetting() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (String setting : RelayConfig.SETTINGS) {
            assertTrue(docs.contains("`" + setting + "`"), setting + " is in docs/configuration.md");
        }
        String code = Files.readString(Path.of("src/main/java/io/streamhelper/relay/app/RelayConfig.java"));
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("\"(RELAY_[A-Z_]+|ENCRYPTION_KEY[A-Z_]*)\"").matcher(code);
        while (names.find()) {
            assertTrue(RelayConfig.SETTINGS.contains(names.group(1)), names.group(1) + " is listed in RelayConfig.SETTINGS");
        }
    }

    @Test
    void streamsFileIsReadAndItsKeysNeverPrint(@TempDir Path dir) throws Exception {
        String ingestKey = TestKeys.ingest();
        String youtubeKey = TestKeys.destination();
        Path file = dir.resolve("streams.json");
        Files.writeString(file, """
                {"streams": [{"id": "main", "name": "Main", "key": "%s",
                  "destinations": [{"id": "yt", "name": "YouTube", "url": "rtmps://a.rtmps.youtube.com/live2", "key": "%s"}]}]}
                """.formatted(ingestKey, youtubeKey));
        var catalog = StreamsFile.read(file);
        assertEquals("main", catalog.authorize(ingestKey).orElseThrow().streamId());
        assertTrue(catalog.authorize(ingestKey.substring(1)).isEmpty());
        var destination = catalog.destinationsOf("main").get(0);
        assertEquals(youtubeKey, destination.streamKey().reveal());
        assertTrue(!destination.toString().contains(youtubeKey), destination.toString());
        Files.writeString(file, "{\"streams\": [{\"id\": \"x\", \"key\": \"" + TestKeys.ingest() + "\", \"surprise\": 1}]}");
        assertThrows(java.io.IOException.class, () -> StreamsFile.read(file));
    }
}
