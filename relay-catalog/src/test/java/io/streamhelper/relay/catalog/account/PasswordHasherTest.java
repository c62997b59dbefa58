package io.streamhelper.relay.catalog.account;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {
    private static PasswordHasher hasher;
    private static String hashOfCorrect;

    @BeforeAll
    static void hashOnce() {
        hasher = new PasswordHasher();
        hashOfCorrect = hasher.hash("correct horse battery staple");
    }

    @Test
    void producesAPhcStringWithItsParameters() {
        assertTrue(hashOfCorrect.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hashOfCorrect);
        String[] parts = hashOfCorrect.split("\\$");
        assertFalse(parts[4].contains("=") || parts[5].contains("="), "base64 without padding");
    }

    @Test
    void verifiesTheRightPasswordOnly() {
        assertTrue(hasher.verify("correct horse battery staple", hashOfCorrect));
        assertFalse(hasher.verify("correct horse battery stapler", hashOfCorrect));
        assertFalse(hasher.verify("", hashOfCorrect));
    }

    @Test
    void samePasswordGetsADifferentSaltEachTime() {
        String again = hasher.hash("correct horse battery staple");

        assertNotEquals(hashOfCorrect, again);
        assertNotEquals(hashOfCorrect.split("\\$")[4], again.split("\\$")[4]);
        assertTrue(hasher.verify("correct horse battery staple", again));
    }

    @Test
    void hashesMadeWithOtherParametersStillVerify() {
        String cheaper = new PasswordHasher(8 * 1024, 1, 1).hash("pw");

        assertTrue(hasher.verify("pw", cheaper));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "plaintext",
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
            "$argon2id$v=19$m=19456,t=2,p=1$$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g$extra",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2F$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
    })
    void malformedHashIsFalseNeverAnException(String encoded) {
        assertFalse(hasher.verify("pw", encoded));
    }

    @Test
    void dummyVerificationAcceptsAnythingWithoutThrowing() {
        hasher.verifyDummy("whatever");
        hasher.verifyDummy(null);
    }
}
