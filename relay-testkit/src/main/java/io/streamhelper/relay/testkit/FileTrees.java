package io.streamhelper.relay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting the folders the peers leave behind (browser profiles, extractions, database clusters). */
final class FileTrees {
    private FileTrees() {
    }

    /** Deletes dir and everything under it, deepest first; nothing there is fine. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
