package io.streamhelper.relay.catalog.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressBlockTest {
    @Test
    void ipv6CountsAsItsSlash64AndIpv4AsItself() {
        assertEquals("2001:db8:1:2::/64", AddressBlock.of("2001:db8:1:2::1"));
        assertEquals("2001:db8:1:2::/64", AddressBlock.of("2001:DB8:1:2:ffff:ffff:ffff:ffff"));
        assertEquals("2001:db8:1:3::/64", AddressBlock.of("2001:db8:1:3::1"));
        assertEquals("0:0:0:0::/64", AddressBlock.of("::1"));
        assertEquals("198.51.100.7", AddressBlock.of("198.51.100.7"));
        assertEquals("198.51.100.7", AddressBlock.of("::ffff:198.51.100.7"), "IPv4-mapped is IPv4");
        assertEquals("not an address", AddressBlock.of("not an address"));
        assertEquals("example.com:80", AddressBlock.of("example.com:80"), "never looked up");
    }
}
