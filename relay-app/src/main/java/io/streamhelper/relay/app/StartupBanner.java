package io.streamhelper.relay.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a new operator needs to see once the server is up: where to point OBS, where the API, the
 * web app and the stats page are, how many streams it found, and which data directory it uses (a
 * server started from another folder finds another, empty one: the first thing to rule out).
 * Printed to stdout by {@link Main} and logged as one {@code event=relay_started} line.
 *
 * @param host            the host name for the addresses: {@code RELAY_PUBLIC_HOST}, else the bind
 *                        address, else {@code localhost} ({@link #host})
 * @param rtmpPort        the plain RTMP ingest port, empty with {@code RELAY_RTMP_ENABLED=false}
 * @param rtmpsPort       the RTMPS ingest port when RTMPS ingest is on, else empty
 * @param databaseStreams streams in the database, every account's
 * @param fileStreams     streams of the streams file (0 without one)
 */
record StartupBanner(String host, OptionalInt rtmpPort, OptionalInt rtmpsPort, int httpPort,
                     long databaseStreams, int fileStreams, DataDirectory dataDir) {

    /**
     * The host the addresses name: the public host when set, as the API's {@code ingestUrl} does;
     * else the bind address, unless that is a wildcard (any interface), which a client cannot
     * dial, so {@code localhost}. An IPv6 literal is bracketed for use in a URL.
     */
    static String host(Optional<String> publicHost, String bindAddress) {
        String host = publicHost.orElse(bindAddress == null ? "" : bindAddress.trim());
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "localhost";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    Optional<String> rtmpIngest() {
        return rtmpPort.isPresent() ? Optional.of("rtmp://" + host + ":" + rtmpPort.getAsInt() + "/live") : Optional.empty();
    }

    Optional<String> rtmpsIngest() {
        return rtmpsPort.isPresent() ? Optional.of("rtmps://" + host + ":" + rtmpsPort.getAsInt() + "/live") : Optional.empty();
    }

    String webApp() {
        return "http://" + host + ":" + httpPort + "/";
    }

    String apiBase() {
        return webApp() + "api/v1";
    }

    String statPage() {
        return webApp() + "stat";
    }

    /** For stdout: a few lines, one fact each, the addresses ready to copy. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        if (dataDir.newDatabase()) {
            lines.add("streamhelper-relay: " + dataDir.createdText());
        }
        lines.add("streamhelper-relay: started");
        rtmpIngest().ifPresent(url -> lines.add("  RTMP ingest:  " + url + "/<stream key>"));
        rtmpsIngest().ifPresent(url -> lines.add("  RTMPS ingest: " + url + "/<stream key>"));
        lines.add("  API:          " + apiBase());
        lines.add("  web app:      " + webApp() + "   live stats: " + statPage());
        lines.add("  streams:      " + databaseStreams + " in the database"
                + (fileStreams > 0 ? ", " + fileStreams + " from the streams file" : ""));
        lines.add("  data dir:     " + dataDir.path());
        return lines;
    }

    /**
     * The same facts as one log line. The ingest addresses end at the application ({@code /live}):
     * with a placeholder after it the line would look, to a reader and to the key patterns, like
     * a key.
     */
    String logLine() {
        return "event=relay_started"
                + rtmpIngest().map(url -> " rtmp=" + url).orElse("")
                + rtmpsIngest().map(url -> " rtmps=" + url).orElse("")
                + " api=" + apiBase() + " web=" + webApp() + " stat=" + statPage()
                + " streams=" + databaseStreams + " file_streams=" + fileStreams
                + " data_dir=" + dataDir.path() + " new_database=" + dataDir.newDatabase();
    }
}
