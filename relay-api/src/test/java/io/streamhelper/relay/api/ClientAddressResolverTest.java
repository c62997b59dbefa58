package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressResolverTest {
    private static final List<String> NONE = List.of();

    private final ClientAddressResolver proxies = ClientAddressResolver.trusting("127.0.0.1, 10.0.0.0/8, ::1, fd00::/8");

    private String viaXff(ClientAddressResolver r, String peer, String... lines) {
        return r.resolve(peer, List.of(lines), NONE);
    }

    private String viaForwarded(ClientAddressResolver r, String peer, String... lines) {
        return r.resolve(peer, NONE, List.of(lines));
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItsHeadersSay() {
        assertEquals("203.0.113.9", viaXff(proxies, "203.0.113.9", "198.51.100.1"));
        assertEquals("203.0.113.9", viaForwarded(proxies, "203.0.113.9", "for=198.51.100.1"));
        ClientAddressResolver nobody = ClientAddressResolver.trusting("");
        assertFalse(nobody.trustsAnyProxy());
        assertEquals("127.0.0.1", viaXff(nobody, "127.0.0.1", "198.51.100.1"), "by default no proxy is trusted");
        assertEquals("127.0.0.1", viaXff(ClientAddressResolver.direct(), "127.0.0.1", "198.51.100.1"));
    }

    @Test
    void behindTrustedProxiesTheRightMostUntrustedEntryIsTheClient() {
        assertEquals("198.51.100.7", viaXff(proxies, "127.0.0.1", "198.51.100.7"));
        // The client prepended a lie; our proxy appended what it saw.
        assertEquals("198.51.100.7", viaXff(proxies, "127.0.0.1", "1.2.3.4, 198.51.100.7"));
        // Two of our proxies in a row (10.1.2.3 forwarded to 127.0.0.1): both skipped.
        assertEquals("198.51.100.7", viaXff(proxies, "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3"));
        // Several header lines are one list, in order.
        assertEquals("198.51.100.7", viaXff(proxies, "127.0.0.1", "6.6.6.6", "198.51.100.7, 10.1.2.3"));
        // Only trusted hops: the farthest one is as far as we can see.
        assertEquals("10.9.9.9", viaXff(proxies, "127.0.0.1", "10.9.9.9, 10.1.2.3"));
        // A trusted peer that forwarded nothing is the client itself.
        assertEquals("127.0.0.1", viaXff(proxies, "127.0.0.1"));
    }

    @Test
    void cidrBlocksMatchByPrefix() {
        ClientAddressResolver r = ClientAddressResolver.trusting("192.168.4.0/22, 2001:db8:aa00::/40");
        assertEquals("198.51.100.7", viaXff(r, "192.168.7.255", "198.51.100.7"), "inside the /22");
        assertEquals("192.168.8.0", viaXff(r, "192.168.8.0", "198.51.100.7"), "just outside it");
        assertEquals("198.51.100.7", viaXff(r, "2001:db8:aaff::1", "198.51.100.7"), "inside the /40");
        assertEquals("2001:db8:ab00::1", viaXff(r, "2001:db8:ab00::1", "198.51.100.7"), "just outside it");
        assertEquals("198.51.100.7", viaXff(ClientAddressResolver.trusting("0.0.0.0/0"), "8.8.8.8", "198.51.100.7"));
    }

    @Test
    void ipv6PeersAndEntriesInEveryWrittenForm() {
        assertEquals("2001:db8::17", viaXff(proxies, "::1", "2001:db8::17"));
        assertEquals("2001:db8::17", viaXff(proxies, "[0:0:0:0:0:0:0:1]", "[2001:DB8:0:0::17]:4711"), "brackets, port, upper case");
        assertEquals("2001:db8::17", viaXff(proxies, "fd12::5", "2001:db8::17"), "a trusted IPv6 block");
        assertEquals("198.51.100.7", viaXff(proxies, "::ffff:127.0.0.1", "198.51.100.7"), "an IPv4-mapped peer is its IPv4 address");
        assertEquals("198.51.100.7", viaXff(proxies, "127.0.0.1", "198.51.100.7:51234"), "IPv4 with a port");
        assertEquals("2001:db8:0:1:1:1:1:1", viaXff(proxies, "::1", "2001:db8:0:1:1:1:1:1"), "a single zero group stays");
        assertEquals("2001:db8::1:0:0:1", viaXff(proxies, "::1", "2001:db8:0:0:1:0:0:1"), "the first longest zero run shortens");
    }

    @Test
    void forwardedHeaderSyntax() {
        assertEquals("198.51.100.7", viaForwarded(proxies, "127.0.0.1", "for=198.51.100.7;proto=https;by=127.0.0.1"));
        assertEquals("2001:db8:cafe::17", viaForwarded(proxies, "127.0.0.1", "For=\"[2001:db8:cafe::17]:4711\""));
        assertEquals("198.51.100.7", viaForwarded(proxies, "127.0.0.1",
                "for=6.6.6.6, for=198.51.100.7;host=\"a,b;c\", for=10.1.2.3"), "quoted commas and semicolons do not split");
        assertEquals("198.51.100.7", viaForwarded(proxies, "127.0.0.1", "for=6.6.6.6", "for=198.51.100.7"));
        assertEquals("127.0.0.1", viaForwarded(proxies, "127.0.0.1", "for=unknown"), "an unknown hop: the proxy is all we know");
        assertEquals("127.0.0.1", viaForwarded(proxies, "127.0.0.1", "for=198.51.100.7, for=_hidden"), "obfuscated");
        assertEquals("127.0.0.1", viaForwarded(proxies, "127.0.0.1", "proto=https"), "an element without for=");
    }

    @Test
    void xForwardedForWinsOverForwardedWhichTheProxyPassesThroughUntouched() {
        assertEquals("198.51.100.7", proxies.resolve("127.0.0.1", List.of("198.51.100.7"), List.of("for=1.2.3.4")));
    }

    @Test
    void garbageStopsTheWalkAtTheLastTrustedHop() {
        assertEquals("127.0.0.1", viaXff(proxies, "127.0.0.1", "not-an-address"));
        assertEquals("10.1.2.3", viaXff(proxies, "127.0.0.1", "198.51.100.7, example.com, 10.1.2.3"),
                "a host name is never looked up");
        assertEquals("127.0.0.1", viaXff(proxies, "127.0.0.1", ""));
        assertEquals("127.0.0.1", viaXff(proxies, "127.0.0.1", "198.51.100.7,"), "an empty last entry");
        for (String junk : List.of("256.1.1.1", "1.2.3", "1.2.3.4.5", "fe80::1%eth0", "[1.2.3.4]", "[::1", "::1]:80",
                "1.2.3.4:99999", "1.2.3.4:x", ".:", "::g", "\"", "[]", "0x7f.0.0.1", "localhost", "1:2:3:4:5:6:7:8:9")) {
            assertNull(ClientAddressResolver.hostAddress(junk), junk);
            assertEquals("127.0.0.1", viaXff(proxies, "127.0.0.1", junk), junk);
        }
        String huge = "1.1.1.1, ".repeat(5000) + "198.51.100.7";
        assertEquals("198.51.100.7", viaXff(proxies, "127.0.0.1", huge), "only the right end is read");
    }

    @Test
    void aBadSettingNamesTheEntry() {
        for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "1.2.3.4/-1", "300.1.1.1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientAddressResolver.trusting(bad));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertTrue(ClientAddressResolver.trusting(" 127.0.0.1 ,, [::1] ").trustsAnyProxy(), "blanks and brackets are fine");
    }
}
