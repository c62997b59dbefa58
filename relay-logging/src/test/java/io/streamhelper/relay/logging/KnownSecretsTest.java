package io.streamhelper.relay.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.TestKeys;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Registering a key is constant work, whatever the number already known: measured as the values
 * the matcher copies (a rebuild per key would copy every known value again each time, about
 * n²/2 in all), not as time. And the incremental matcher still redacts every key, and forgets one
 * whose owner is gone.
 */
class KnownSecretsTest {
    private static final int KEYS = 2000;

    @Test
    void registeringAKeyDoesNotRebuildWhatIsAlreadyKnown() {
        List<Object> owners = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        long before = KnownSecrets.matcherWork();
        for (int i = 0; i < KEYS; i++) {
            Object owner = new Object();
            String key = TestKeys.token();
            owners.add(owner);
            keys.add(key);
            KnownSecrets.register(owner, key);
        }
        long work = KnownSecrets.matcherWork() - before;
        // Each key has at most two spellings (raw, URL-encoded); each lands in a slot holding
        // almost always nothing else. A rebuild per key would be about KEYS * KEYS values.
        assertTrue(work <= 4L * 2 * KEYS, "values copied to register " + KEYS + " keys: " + work);
        for (String key : keys) {
            assertEquals("a *** b", KnownSecrets.redact("a " + key + " b"));
        }
        assertTrue(owners.size() == KEYS); // the owners stay reachable up to here
    }

    @Test
    void aKeyWhoseOwnerIsGoneIsNoLongerKnown() {
        String key = TestKeys.token();
        Object owner = new Object();
        WeakReference<Object> gone = new WeakReference<>(owner);
        KnownSecrets.register(owner, key);
        assertEquals("***", KnownSecrets.redact(key));
        owner = null;
        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
        }
        assertTrue(gone.get() == null, "the owner was collected");
        KnownSecrets.size(); // drops collected owners
        assertEquals(key, KnownSecrets.redact(key), "forgotten with its owner");
    }

    @Test
    void aKeyHeldByTwoOwnersStaysUntilBothAreGone() {
        String key = TestKeys.token();
        Object first = new Object();
        Object second = new Object();
        WeakReference<Object> firstGone = new WeakReference<>(first);
        KnownSecrets.register(first, key);
        KnownSecrets.register(second, key);
        first = null;
        for (int i = 0; i < 50 && firstGone.get() != null; i++) {
            System.gc();
        }
        KnownSecrets.size();
        assertEquals("***", KnownSecrets.redact(key), "the second owner still holds it");
        assertTrue(second != null);
    }
}
