package io.streamhelper.relay.app;

import io.streamhelper.relay.engine.destination.DestinationRelay;
import io.streamhelper.relay.engine.destination.DestinationState;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What the relay says of a live stream's destinations, for tests and for their failure messages. */
final class RelayViews {
    private RelayViews() {
    }

    static DestinationRelay relayOf(StreamRegistry registry, LiveStream stream, String id) {
        return registry.relays(stream).stream().filter(r -> r.target().id().equals(id)).findFirst().orElseThrow();
    }

    /** Whether every destination of the stream is live. */
    static boolean allLive(StreamRegistry registry, LiveStream stream) {
        return registry.relays(stream).stream().allMatch(r -> r.state() == DestinationState.LIVE);
    }

    /**
     * One line for every destination: state, since, reconnects, whether a connection is open, what
     * it sent and dropped, and the last error (the relay redacts it). One line, so that it shows in
     * Maven's summary of failures, which is all of a failed run that CI's tail may show.
     */
    static String describe(StreamRegistry registry, LiveStream stream) {
        return registry.relays(stream).stream().map(RelayViews::describe).collect(Collectors.joining("; "));
    }

    static String describe(DestinationRelay r) {
        String link = r.linkDescription();
        Matcher fd = DESCRIPTOR.matcher(link);
        return r.target().id() + " " + r.state() + " since " + r.since() + " reconnects=" + r.reconnects()
                + " link=" + link + (fd.find() ? " kernel: " + kernelView(Integer.parseInt(fd.group(1))) : "")
                + " framesSent=" + r.framesSent() + " framesDropped=" + r.framesDropped() + " bytesSent=" + r.bytesSent()
                + " lastError=" + r.lastError();
    }

    private static final Pattern DESCRIPTOR = Pattern.compile(" fd=(\\d+)");
    private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");
    private static final Map<String, String> TCP_STATES = Map.of("01", "ESTABLISHED", "02", "SYN_SENT", "04", "FIN_WAIT1",
            "05", "FIN_WAIT2", "06", "TIME_WAIT", "07", "CLOSE", "08", "CLOSE_WAIT", "09", "LAST_ACK", "0A", "LISTEN");

    /**
     * What the kernel says a descriptor of this JVM is: a TCP socket with its ports, state and
     * queued bytes, or whatever else now has that number (a pipe, a file). A destination that stays
     * live on a peer that was killed must be writing somewhere; this says where.
     */
    static String kernelView(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            Matcher socket = SOCKET.matcher(target);
            return socket.matches() ? target + tcpEntry(socket.group(1)) : target;
        } catch (IOException | RuntimeException e) {
            return "unreadable (" + e + ")";
        }
    }

    private static String tcpEntry(String inode) throws IOException {
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[9].equals(inode)) {
                    return " tcp port " + port(f[1]) + " -> " + port(f[2]) + " " + TCP_STATES.getOrDefault(f[3], f[3])
                            + " tx:rx=" + f[4] + " retransmits=" + f[6];
                }
            }
        }
        return " (no TCP entry)";
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }
}
