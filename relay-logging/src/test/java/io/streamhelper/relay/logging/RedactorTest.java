package io.streamhelper.relay.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.TestKeys;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedactorTest {
    /** Stands in for a Secret: the registration lives as long as this object. */
    private final Object owner = new Object();

    @Test
    void aRegisteredKeyIsReplacedWhereverItAppears() {
        String key = TestKeys.destination();
        KnownSecrets.register(owner, key);
        assertEquals("publish ***", Redactor.redact("publish " + key));
        assertEquals("a=*** b=***.", Redactor.redact("a=" + key + " b=" + key + "."));
        assertEquals("***", Redactor.redact(key));
        assertEquals("nothing to see", Redactor.redact("nothing to see"));
    }

    @Test
    void aRegisteredKeyIsReplacedUrlEncodedToo() {
        String key = TestKeys.ingest() + "+/=";
        KnownSecrets.register(owner, key);
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        assertFalse(Redactor.redact("GET /x?k=" + encoded + " HTTP/1.1").contains(encoded.substring(0, 10)));
    }

    @Test
    void theLongerOfTwoOverlappingKeysIsReplacedWhole() {
        String shortKey = TestKeys.ingest();
        String longKey = shortKey + "XYZ123";
        KnownSecrets.register(owner, shortKey);
        KnownSecrets.register(owner, longKey);
        assertEquals("[***]", Redactor.redact("[" + longKey + "]"));
    }

    @Test
    void veryShortValuesAreNotRegistered() {
        int before = KnownSecrets.size();
        KnownSecrets.register(owner, "in");
        assertEquals(before, KnownSecrets.size());
        assertEquals("in the log", Redactor.redact("in the log"));
    }

    @Test
    void aKeyIsForgottenWhenItsOwnerIsCollected() {
        String key = TestKeys.token();
        Object shortLived = new Object();
        java.lang.ref.WeakReference<Object> gone = new java.lang.ref.WeakReference<>(shortLived);
        KnownSecrets.register(shortLived, key);
        int withIt = KnownSecrets.size();
        shortLived = null;
        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
        }
        assertTrue(gone.get() == null, "the owner was collected");
        KnownSecrets.register(owner, TestKeys.token()); // pruning happens on registration
        assertTrue(KnownSecrets.size() < withIt + 1, "the dead entry was dropped");
    }

    @Test
    void rtmpUrlsLoseEverythingAfterTheApplication() {
        String key = TestKeys.destination(); // not registered: the pattern alone must catch it
        assertEquals("to rtmp://a.rtmp.youtube.com/live2/*** failed",
                Redactor.redact("to rtmp://a.rtmp.youtube.com/live2/" + key + " failed"));
        assertEquals("url=rtmps://live-api-s.facebook.com:443/rtmp/***",
                Redactor.redact("url=rtmps://live-api-s.facebook.com:443/rtmp/" + key + "?s_bl=1&a=b"));
        assertEquals("rtmp://127.0.0.1:1935/live", Redactor.redact("rtmp://127.0.0.1:1935/live"));
    }

    @Test
    void publishNamesAfterLiveAreReplaced() {
        String key = TestKeys.ingest();
        assertEquals("name=live/***?bandwidthtest=true", Redactor.redact("name=live/" + key + "?bandwidthtest=true"));
        assertEquals("path /live/***", Redactor.redact("path /live/" + key));
    }

    @Test
    void twitchStyleKeysAreReplaced() {
        assertEquals("key is *** ok", Redactor.redact("key is live_123456789_AbCdEfGhIjKlMnOpQrStUvWxYz0123 ok"));
    }

    @Test
    void keyAndTokenFieldsAreReplacedInQueriesTextAndJson() {
        String key = TestKeys.destination();
        assertEquals("/hook?app=live&key=***&x=1", Redactor.redact("/hook?app=live&key=" + key + "&x=1"));
        assertEquals("streamKey=*** token=***", Redactor.redact("streamKey=" + key + " token=" + key));
        assertEquals("{\"id\":\"yt\",\"key\": \"***\"}", Redactor.redact("{\"id\":\"yt\",\"key\": \"" + key + "\"}"));
        assertEquals("{\"stream_key\":\"***\"}", Redactor.redact("{\"stream_key\":\"" + key + "\"}"));
        assertEquals("keyframes=3 monkey business", Redactor.redact("keyframes=3 monkey business"));
    }

    @Test
    void bearerTokensAreReplaced() {
        String token = TestKeys.token();
        assertEquals("Authorization: Bearer ***", Redactor.redact("Authorization: Bearer " + token));
        assertEquals("authorization=Basic ***", Redactor.redact("authorization=Basic " + token));
        assertEquals("sent Bearer *** twice", Redactor.redact("sent Bearer " + token + " twice"));
    }

    @Test
    void nullAndEmptyPassThrough() {
        assertEquals(null, Redactor.redact(null));
        assertEquals("", Redactor.redact(""));
    }
}
