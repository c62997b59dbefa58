package io.streamhelper.relay.rtmp.client;

import static io.streamhelper.relay.rtmp.client.PublishingSession.State.CLOSED;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.CONNECT_SENT;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.CREATE_STREAM_SENT;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.DIALING;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.HANDSHAKE;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.LIVE;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.PUBLISH_SENT;
import static io.streamhelper.relay.rtmp.client.PublishingSession.State.UNPUBLISHING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamhelper.relay.rtmp.client.PublishingSession.State;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The publishing conversation's table, written out a second time: forward one step at a time,
 * to UNPUBLISHING when we end it, to CLOSED (reported) from anywhere but CLOSED; nothing else.
 */
class PublishingSessionStatesTest {

    @Test
    void everyPairIsLegalExactlyWhenTheTableSaysSo() {
        Map<State, Set<State>> expected = new EnumMap<>(State.class);
        expected.put(DIALING, EnumSet.of(HANDSHAKE, UNPUBLISHING, CLOSED));
        expected.put(HANDSHAKE, EnumSet.of(CONNECT_SENT, UNPUBLISHING, CLOSED));
        expected.put(CONNECT_SENT, EnumSet.of(CREATE_STREAM_SENT, UNPUBLISHING, CLOSED));
        expected.put(CREATE_STREAM_SENT, EnumSet.of(PUBLISH_SENT, UNPUBLISHING, CLOSED));
        expected.put(PUBLISH_SENT, EnumSet.of(LIVE, UNPUBLISHING, CLOSED));
        expected.put(LIVE, EnumSet.of(UNPUBLISHING, CLOSED));
        expected.put(UNPUBLISHING, EnumSet.of(CLOSED));
        expected.put(CLOSED, EnumSet.noneOf(State.class));
        for (State from : State.values()) {
            for (State to : State.values()) {
                assertEquals(expected.get(from).contains(to), PublishingSession.isLegal(from, to), from + " -> " + to);
            }
        }
    }
}
