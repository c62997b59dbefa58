package io.streamhelper.relay.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.engine.publish.StreamGrant;
import io.streamhelper.relay.engine.secret.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the static stream catalog: which ingest keys may publish and where each stream goes.
 * It stands in until accounts and the database arrive (issue 3). Format:
 * <pre>{"streams": [{"id": "main", "name": "Main", "key": "ingest-key",
 *   "destinations": [{"id": "yt", "name": "YouTube", "url": "rtmps://a.rtmps.youtube.com/live2", "key": "..."}]}]}</pre>
 */
final class StreamsFile {
    record DestinationEntry(String id, String name, String url, String key) {
    }

    record StreamEntry(String id, String name, String key, List<DestinationEntry> destinations) {
    }

    record Document(List<StreamEntry> streams) {
    }

    private StreamsFile() {
    }

    static StaticStreamCatalog read(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Document doc = mapper.readValue(file.toFile(), Document.class);
        List<StaticStreamCatalog.Entry> entries = new ArrayList<>();
        for (StreamEntry s : doc.streams() == null ? List.<StreamEntry>of() : doc.streams()) {
            require(s.id() != null && !s.id().isBlank(), file, "a stream has no id");
            require(!s.id().matches("\\d+"), file, "stream id " + s.id()
                    + " is a number; numeric ids belong to the database's streams, use a name such as \"main\"");
            require(s.key() != null && !s.key().isBlank(), file, "stream " + s.id() + " has no key");
            List<DestinationTarget> targets = new ArrayList<>();
            for (DestinationEntry d : s.destinations() == null ? List.<DestinationEntry>of() : s.destinations()) {
                require(d.id() != null && d.url() != null && d.key() != null, file,
                        "a destination of stream " + s.id() + " lacks id, url or key");
                targets.add(new DestinationTarget(d.id(), d.name() == null ? d.id() : d.name(), d.url(), Secret.of(d.key())));
            }
            entries.add(new StaticStreamCatalog.Entry(new StreamGrant(s.id(), s.name() == null ? s.id() : s.name()),
                    Secret.of(s.key()), targets));
        }
        return new StaticStreamCatalog(entries);
    }

    private static void require(boolean ok, Path file, String problem) throws IOException {
        if (!ok) {
            throw new IOException(file + ": " + problem);
        }
    }
}
