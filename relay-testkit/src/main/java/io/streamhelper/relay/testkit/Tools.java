package io.streamhelper.relay.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real programs the peer tests need. A missing one fails the test (never skips it): a
 * skipped peer test would let a broken relay pass. ./test.sh installs them.
 */
public final class Tools {
    private static final List<Path> MODULE_DIRS = List.of(Path.of("/usr/lib/nginx/modules"), Path.of("/usr/share/nginx/modules"));

    private Tools() {
    }

    public static void require(String... commands) {
        for (String command : commands) {
            if (find(command) == null) {
                throw new AssertionError("'" + command + "' is not installed; run the tests with ./test.sh, which installs ffmpeg, nginx-rtmp and chromium");
            }
        }
        if (List.of(commands).contains("nginx") && nginxModulesDir() == null) {
            throw new AssertionError("ngx_rtmp_module.so not found; run the tests with ./test.sh (libnginx-mod-rtmp)");
        }
    }

    /** The absolute path of a command on PATH (or in /usr/sbin), or null. */
    public static Path find(String command) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    public static Path nginxModulesDir() {
        return MODULE_DIRS.stream().filter(d -> Files.exists(d.resolve("ngx_rtmp_module.so"))).findFirst().orElse(null);
    }
}
