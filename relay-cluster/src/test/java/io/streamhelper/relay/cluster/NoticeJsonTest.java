package io.streamhelper.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The payload of one NOTIFY: what is written, and what a reader refuses to take for a notice. */
class NoticeJsonTest {

    @Test
    void aNoticeIsCompactJsonNamingOnlyKindStreamAndNodes() {
        ClusterNotice broadcast = ClusterNotice.broadcast(ClusterNotice.Kind.DESTINATIONS_CHANGED, 12, "node-a");
        ClusterNotice addressed = ClusterNotice.to("node-b", ClusterNotice.Kind.RELEASE, 9_007_199_254_740_993L, "node-a");

        assertEquals("{\"kind\":\"DESTINATIONS_CHANGED\",\"stream\":12,\"from\":\"node-a\"}", NoticeJson.write(broadcast));
        assertEquals("{\"kind\":\"RELEASE\",\"stream\":9007199254740993,\"from\":\"node-a\",\"to\":\"node-b\"}",
                NoticeJson.write(addressed));
        assertEquals(Optional.of(broadcast), NoticeJson.read(NoticeJson.write(broadcast)));
        assertEquals(Optional.of(addressed), NoticeJson.read(NoticeJson.write(addressed)), "a 64-bit id survives");
        for (ClusterNotice.Kind kind : ClusterNotice.Kind.values()) {
            ClusterNotice longest = ClusterNotice.to("b".repeat(63), kind, Long.MAX_VALUE, "a".repeat(63));
            assertEquals(Optional.of(longest), NoticeJson.read(NoticeJson.write(longest)));
            assertTrue(NoticeJson.write(longest).length() < 300, "far below PostgreSQL's 8000 bytes");
        }
    }

    @Test
    void fieldsANewerNodeAddsAreIgnored() {
        assertEquals(Optional.of(ClusterNotice.broadcast(ClusterNotice.Kind.STREAM_DELETED, 3, "n")),
                NoticeJson.read("{\"kind\":\"STREAM_DELETED\",\"stream\":3,\"from\":\"n\",\"epoch\":7,\"to\":null}"));
    }

    @Test
    void whatIsNotANoticeIsRefused() {
        List<String> malformed = new ArrayList<>(List.of(
                "", "not json", "[]", "42", "null", "{}", "{\"kind\":\"STREAM_DELETED\",\"stream\":3}",
                "{\"kind\":\"EXPLODE\",\"stream\":3,\"from\":\"n\"}",
                "{\"kind\":7,\"stream\":3,\"from\":\"n\"}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":\"3\",\"from\":\"n\"}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":3.5,\"from\":\"n\"}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":99999999999999999999999,\"from\":\"n\"}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":3,\"from\":\"\"}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":3,\"from\":\"" + "x".repeat(64) + "\"}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":3,\"from\":\"n\",\"to\":5}",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":3,\"from\":\"n\"",
                "{\"kind\":\"STREAM_DELETED\",\"stream\":3,\"from\":\"n\",\"pad\":\"" + "x".repeat(8000) + "\"}"));
        malformed.add(null);
        for (String payload : malformed) {
            assertEquals(Optional.empty(), NoticeJson.read(payload), String.valueOf(payload));
        }
    }
}
