package io.streamhelper.relay.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The optional settings file named by {@code RELAY_CONFIG_FILE}: a Java properties file with the
 * same names as the environment variables ({@code RELAY_HTTP_PORT=8080}). The environment wins
 * over the file, so one setting can be changed for one run without editing it. A name the relay
 * does not read is refused, so a typo cannot silently leave a default in place.
 */
final class ConfigFile {
    static final String VARIABLE = "RELAY_CONFIG_FILE";

    private ConfigFile() {
    }

    /** The environment, with the file's settings underneath it when RELAY_CONFIG_FILE is set. */
    static Map<String, String> merge(Map<String, String> env) {
        String name = env.get(VARIABLE);
        if (name == null || name.isBlank()) {
            return env;
        }
        Path file = Path.of(name.trim());
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new RelayConfig.InvalidConfigException(VARIABLE + " points to " + file
                    + ", which cannot be read as a properties file: " + e.getClass().getSimpleName());
        }
        Map<String, String> merged = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!RelayConfig.SETTINGS.contains(key) || key.equals(VARIABLE)) {
                throw new RelayConfig.InvalidConfigException(file + ": '" + key
                        + "' is not a setting (docs/configuration.md lists them)");
            }
            merged.put(key, properties.getProperty(key).trim());
        }
        merged.putAll(env);
        return merged;
    }
}
