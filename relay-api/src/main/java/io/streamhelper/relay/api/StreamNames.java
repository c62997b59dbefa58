package io.streamhelper.relay.api;

import java.util.Collection;
import java.util.Map;

/**
 * The current names of streams, by stream id. A live stream's grant holds the name it went live
 * with; the catalog holds the name now, so what is shown follows a rename at once. Streams it does
 * not know (from the configuration file, or just deleted) keep their grant's name.
 */
@FunctionalInterface
interface StreamNames {
    Map<String, String> of(Collection<String> streamIds);
}
