package io.streamhelper.relay.api;

import io.streamhelper.relay.catalog.cluster.OtherNodes;
import io.streamhelper.relay.engine.registry.StreamRegistry;
import io.streamhelper.relay.engine.stream.LiveStream;
import io.streamhelper.relay.engine.stream.StreamState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole service as this node sees it: its own registry first (always current), then what the
 * other alive nodes last published (a few seconds old). One place decides that a stream live here
 * is shown from here, and that a stream two nodes both name (for a moment, while it moves) is
 * listed once.
 */
final class ServiceView {
    /** Where a stream is on air and how: {@code node} is null when it is off the air everywhere. */
    record Where(OnAir onAir, String node) {
    }

    private final String nodeId;
    private final StreamRegistry registry;
    private final OtherNodes others;

    ServiceView(String nodeId, StreamRegistry registry, OtherNodes others) {
        this.nodeId = nodeId;
        this.registry = registry;
        this.others = others;
    }

    String nodeId() {
        return nodeId;
    }

    StreamRegistry registry() {
        return registry;
    }

    /** The stream's state here when it is on air here, else on the node that publishes it, else offline. */
    Where where(String streamId) {
        Optional<LiveStream> here = registry.liveStream(streamId).filter(s -> s.state() != StreamState.ENDED);
        if (here.isPresent()) {
            return new Where(OnAir.of(here.get()), nodeId);
        }
        return others.stream(streamId)
                .map(remote -> new Where(OnAir.of(remote), remote.nodeId()))
                .orElse(new Where(OnAir.of((LiveStream) null), null));
    }

    /** Every stream on air on another node and not here, each once. */
    List<OtherNodes.RemoteStream> remoteStreams() {
        Set<String> seen = new HashSet<>();
        registry.liveStreams().forEach(s -> seen.add(s.id()));
        List<OtherNodes.RemoteStream> remote = new ArrayList<>();
        for (OtherNodes.Node node : others.nodes()) {
            for (OtherNodes.RemoteStream stream : node.streams()) {
                // Where two nodes name it (a moment while it moves), the one the view says it is on.
                boolean there = others.stream(stream.streamId()).map(s -> s.nodeId().equals(node.nodeId())).orElse(true);
                if (there && seen.add(stream.streamId())) {
                    remote.add(stream);
                }
            }
        }
        return remote;
    }

    /** Alive nodes, this one included: 1 on a single node. */
    int nodes() {
        return others.nodes().size() + 1;
    }
}
