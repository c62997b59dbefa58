package io.streamhelper.relay.catalog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link Database#SCHEMA_VERSION} is the newest migration's version: a new V*.sql must move it. */
class DatabaseSchemaVersionTest {
    private static final Pattern MIGRATION = Pattern.compile("V([0-9]+)__.*\\.sql");

    @Test
    void theSchemaVersionIsTheNewestMigrations() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            long newest = files.map(f -> MIGRATION.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Long.parseLong(m.group(1)))
                    .max(Comparator.naturalOrder())
                    .orElseThrow();
            assertEquals(String.valueOf(newest), Database.SCHEMA_VERSION);
        }
    }
}
