package io.streamhelper.relay.catalog.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The throttle in virtual time: the clock moves only when the test says so. */
class LoginThrottleTest {
    private static final String OWNER = "owner@example.com";
    private static final String ATTACKER = "203.0.113.66";
    private static final String HOME = "198.51.100.10";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LoginThrottle throttle = LoginThrottle.defaults(clock);

    /** One failed guess from the address, waiting out any lock first, as a patient attacker does. */
    private void guess(String account, String address) {
        throttle.waitFor(account, address).ifPresent(clock::advance);
        throttle.failed(account, address);
    }

    @Test
    void aStrangerGuessingCannotLockTheOwnerOutButIsSlowedDown() {
        for (int i = 0; i < 5; i++) {
            guess(OWNER, ATTACKER);
            assertEquals(Optional.empty(), throttle.waitFor(OWNER, ATTACKER), "failure " + (i + 1) + " is free");
        }
        long[] expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900};
        for (long seconds : expected) {
            guess(OWNER, ATTACKER);
            assertEquals(Optional.of(Duration.ofSeconds(seconds)), throttle.waitFor(OWNER, ATTACKER),
                    "the attacker's lock doubles up to 15 min");
            assertEquals(Optional.empty(), throttle.waitFor(OWNER, HOME),
                    "the owner at a clean address is never made to wait");
        }
        assertEquals(Optional.of(Duration.ofSeconds(900)), throttle.waitFor("other@example.com", ATTACKER),
                "the attacking address is locked for every account");
        throttle.succeeded(OWNER, HOME);
        clock.advance(Duration.ofSeconds(899));
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.waitFor(OWNER, ATTACKER),
                "the owner's login does not lift the attacker's lock");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), throttle.waitFor(OWNER, ATTACKER), "a lock ends when its time is up");
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        for (int i = 0; i < 5; i++) {
            throttle.failed(OWNER, ATTACKER);
        }
        assertEquals(Optional.empty(), throttle.waitFor(OWNER, ATTACKER),
                "after 15 quiet minutes the count starts again: five failures are free");
    }

    @Test
    void aDistributedAttackMakesFailingAddressesWaitButNotCleanOrKnownOnes() {
        throttle.succeeded(OWNER, HOME); // the owner logged in from home last week
        clock.advance(Duration.ofDays(7));
        // Twenty addresses, three guesses each: none reaches its own limit of five.
        for (int round = 0; round < 3; round++) {
            for (int bot = 0; bot < 20; bot++) {
                guess(OWNER, "192.0.2." + bot);
            }
        }
        Duration accountLock = throttle.waitFor(OWNER, "192.0.2.0").orElseThrow(
                () -> new AssertionError("an address that failed against the attacked account waits"));
        assertTrue(accountLock.compareTo(Duration.ofMinutes(1)) > 0, "the account lock has grown: " + accountLock);
        assertEquals(Optional.empty(), throttle.waitFor("someone-else@example.com", "192.0.2.0"),
                "the account lock is this account's: the bot's own locks are not engaged");
        assertEquals(Optional.empty(), throttle.waitFor(OWNER, "198.51.100.99"), "an address with no failures goes to the password check");
        throttle.failed(OWNER, HOME); // the owner mistypes once
        assertEquals(Optional.empty(), throttle.waitFor(OWNER, HOME), "an address the owner logged in from is not held by the attack");
        throttle.failed(OWNER, "198.51.100.99");
        assertTrue(throttle.waitFor(OWNER, "198.51.100.99").isPresent(), "a fresh address buys one guess, then waits like the rest");

        clock.advance(LoginThrottle.KNOWN_GOOD_FOR);
        for (int bot = 0; bot < 10; bot++) {
            guess(OWNER, "192.0.2." + bot);
        }
        throttle.failed(OWNER, HOME);
        assertTrue(throttle.waitFor(OWNER, HOME).isPresent(), "being known for a login lasts 30 days");
    }

    @Test
    void anIpv6AttackerCannotRotateToFreshAddressesInsideItsSlash64() {
        for (int i = 1; i <= 7; i++) {
            guess(OWNER, "2001:db8:1:2::" + Integer.toHexString(i));
        }
        assertTrue(throttle.waitFor(OWNER, "2001:db8:1:2::99").isPresent(),
                "another address of the same /64 is the same client, not a clean one");
        assertTrue(throttle.waitFor("other@example.com", "2001:db8:1:2:abcd::1").isPresent(), "for every account");
        assertEquals(Optional.empty(), throttle.waitFor(OWNER, "2001:db8:1:3::1"), "the next /64 is someone else");
    }

    @Test
    void aFloodFromManyAddressesStaysBoundedAndCannotWipeAnActiveLock() {
        LoginThrottle small = new LoginThrottle(clock, 5, Duration.ofSeconds(1), Duration.ofMinutes(15), 30);
        for (int i = 0; i < 7; i++) {
            small.failed(OWNER, ATTACKER);
        }
        Duration locked = small.waitFor(OWNER, ATTACKER).orElseThrow();
        for (int i = 0; i < 10_000; i++) {
            small.failed("random" + i + "@example.com", "10.0." + (i / 256) + "." + (i % 256));
            assertTrue(small.entries() <= 60, "bounded, had " + small.entries());
            if (i % 3 == 0) {
                // The attacker keeps trying; its records stay in use and so stay.
                assertEquals(Optional.of(locked), small.waitFor(OWNER, ATTACKER), "after " + i + " flood failures");
            }
        }
    }
}
