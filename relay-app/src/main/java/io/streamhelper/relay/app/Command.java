package io.streamhelper.relay.app;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the jar was asked to do: {@code [serve]}, {@code backup <dir> [--overwrite]} or
 * {@code restore <dir>}. Anything else, {@code --help} included, is {@link Kind#USAGE}: the usage
 * goes to stderr and the process exits 2, so a typo in a script stops the script.
 */
record Command(Kind kind, Optional<Path> dir, boolean overwrite, Optional<String> problem) {

    enum Kind { SERVE, BACKUP, RESTORE, USAGE }

    static final String USAGE = String.join("\n",
            "usage: java -jar streamhelper-relay.jar [serve]",
            "       java -jar streamhelper-relay.jar backup <dir> [--overwrite]",
            "       java -jar streamhelper-relay.jar restore <dir>",
            "",
            "  serve     run the relay (the default)",
            "  backup    while the server runs: a verified copy of the database (and the keyset",
            "            file, unless ENCRYPTION_KEY is set) into <dir>, with a manifest.json;",
            "            --overwrite replaces a backup already in <dir>",
            "  restore   with the server stopped: checks the backup in <dir> and puts it in place of",
            "            the data directory's database (the old one is moved aside, never deleted)",
            "",
            "Both commands read the server's settings (environment, RELAY_CONFIG_FILE): docs/backup.md.");

    static Command parse(String... args) {
        List<String> words = List.of(args);
        if (words.isEmpty() || words.equals(List.of("serve"))) {
            return new Command(Kind.SERVE, Optional.empty(), false, Optional.empty());
        }
        String verb = words.get(0);
        List<String> rest = words.subList(1, words.size());
        return switch (verb) {
            case "backup" -> withDir(Kind.BACKUP, rest, true);
            case "restore" -> withDir(Kind.RESTORE, rest, false);
            case "--help", "-h", "help" -> usage(null);
            default -> usage("unknown command '" + verb + "'");
        };
    }

    private static Command withDir(Kind kind, List<String> rest, boolean mayOverwrite) {
        boolean overwrite = false;
        String dir = null;
        for (String word : rest) {
            if (mayOverwrite && word.equals("--overwrite")) {
                overwrite = true;
            } else if (word.startsWith("-")) {
                return usage("unknown option '" + word + "'");
            } else if (dir == null) {
                dir = word;
            } else {
                return usage("one directory only, got '" + dir + "' and '" + word + "'");
            }
        }
        if (dir == null || dir.isBlank()) {
            return usage(kind.name().toLowerCase(java.util.Locale.ROOT) + " needs a directory");
        }
        return new Command(kind, Optional.of(Path.of(dir)), overwrite, Optional.empty());
    }

    private static Command usage(String problem) {
        return new Command(Kind.USAGE, Optional.empty(), false, Optional.ofNullable(problem));
    }
}
