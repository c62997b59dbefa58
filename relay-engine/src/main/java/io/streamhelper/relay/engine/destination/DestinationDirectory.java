package io.streamhelper.relay.engine.destination;

import java.util.List;

/** Where a stream goes: the enabled destinations of a stream, asked when it goes live. */
public interface DestinationDirectory {
    List<DestinationTarget> destinationsOf(String streamId);
}
