package io.streamhelper.relay.engine.destination;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IANA special-purpose registries (IPv4 and IPv6) as a table: the first, the last and one
 * address inside each block is refused; IPv6 forms that carry an IPv4 address are judged by it.
 */
class AddressPolicyTest {

    @ParameterizedTest(name = "{0} refused ({1})")
    @CsvSource(delimiter = '|', textBlock = """
            0.0.0.0         | this network 0/8
            0.255.255.255   | this network 0/8
            0.1.2.3         | this network 0/8
            10.0.0.0        | private 10/8
            10.255.255.255  | private 10/8
            10.20.30.40     | private 10/8
            100.64.0.0      | shared 100.64/10
            100.127.255.255 | shared 100.64/10
            100.100.100.100 | shared 100.64/10
            127.0.0.0       | loopback 127/8
            127.255.255.255 | loopback 127/8
            127.0.0.1       | loopback 127/8
            169.254.0.0     | link-local 169.254/16
            169.254.255.255 | link-local 169.254/16
            169.254.169.254 | link-local 169.254/16
            172.16.0.0      | private 172.16/12
            172.31.255.255  | private 172.16/12
            172.20.1.1      | private 172.16/12
            192.0.0.0       | IETF protocol assignments 192.0.0/24
            192.0.0.255     | IETF protocol assignments 192.0.0/24
            192.0.0.170     | IETF protocol assignments 192.0.0/24
            192.0.2.0       | documentation 192.0.2/24
            192.0.2.255     | documentation 192.0.2/24
            192.0.2.10      | documentation 192.0.2/24
            192.88.99.0     | 6to4 relay anycast 192.88.99/24
            192.88.99.255   | 6to4 relay anycast 192.88.99/24
            192.88.99.1     | 6to4 relay anycast 192.88.99/24
            192.168.0.0     | private 192.168/16
            192.168.255.255 | private 192.168/16
            192.168.1.1     | private 192.168/16
            198.18.0.0      | benchmarking 198.18/15
            198.19.255.255  | benchmarking 198.18/15
            198.18.200.1    | benchmarking 198.18/15
            198.51.100.0    | documentation 198.51.100/24
            198.51.100.255  | documentation 198.51.100/24
            198.51.100.7    | documentation 198.51.100/24
            203.0.113.0     | documentation 203.0.113/24
            203.0.113.255   | documentation 203.0.113/24
            203.0.113.9     | documentation 203.0.113/24
            224.0.0.0       | multicast 224/4
            239.255.255.255 | multicast 224/4
            232.1.2.3       | multicast 224/4
            240.0.0.0       | reserved 240/4
            255.255.255.254 | reserved 240/4
            250.1.2.3       | reserved 240/4
            255.255.255.255 | limited broadcast
            ::              | unspecified
            ::1             | loopback
            ::2             | IPv4-compatible ::/96
            ::ffff:ffff     | IPv4-compatible ::/96
            ::8.8.8.8       | IPv4-compatible ::/96 (deprecated even with a public address)
            ::ffff:0.0.0.0     | IPv4-mapped ::ffff:0:0/96 carrying 0/8
            ::ffff:127.0.0.1   | IPv4-mapped carrying loopback
            ::ffff:10.0.0.1    | IPv4-mapped carrying private
            ::ffff:198.18.0.1  | IPv4-mapped carrying benchmarking
            ::ffff:255.255.255.255 | IPv4-mapped carrying broadcast
            64:ff9b::          | NAT64 64:ff9b::/96 carrying 0.0.0.0
            64:ff9b::ffff:ffff | NAT64 64:ff9b::/96 carrying 255.255.255.255
            64:ff9b::7f00:1    | NAT64 carrying 127.0.0.1
            64:ff9b::a9fe:a9fe | NAT64 carrying 169.254.169.254
            64:ff9b::c0a8:101  | NAT64 carrying 192.168.1.1
            64:ff9b:1::        | NAT64 local-use 64:ff9b:1::/48
            64:ff9b:1:ffff:ffff:ffff:ffff:ffff | NAT64 local-use 64:ff9b:1::/48
            64:ff9b:1::808:808 | NAT64 local-use 64:ff9b:1::/48 (embedding position unknown)
            100::              | discard-only 100::/64
            100::ffff:ffff:ffff:ffff | discard-only 100::/64
            2001::             | Teredo 2001::/32
            2001:0:ffff:ffff:ffff:ffff:ffff:ffff | Teredo 2001::/32
            2001:0:4136:e378:8000:63bf:3fff:fdd2 | Teredo 2001::/32
            2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff | IETF protocol assignments 2001::/23
            2001:2::1          | benchmarking 2001:2::/48
            2001:db8::         | documentation 2001:db8::/32
            2001:db8:ffff:ffff:ffff:ffff:ffff:ffff | documentation 2001:db8::/32
            2001:db8:1::1      | documentation 2001:db8::/32
            2002::             | 6to4 carrying 0.0.0.0
            2002:ffff:ffff::   | 6to4 carrying 255.255.255.255
            2002:7f00:1::1     | 6to4 carrying 127.0.0.1
            2002:a00:1::1      | 6to4 carrying 10.0.0.1
            2002:c0a8:101:1::1 | 6to4 carrying 192.168.1.1
            2002:c612:1::1     | 6to4 carrying 198.18.0.1
            3fff::             | documentation 3fff::/20
            3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff | documentation 3fff::/20
            fc00::             | unique local fc00::/7
            fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | unique local fc00::/7
            fd12:3456::1       | unique local fc00::/7
            fe80::             | link-local fe80::/10
            febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff | link-local fe80::/10
            fe80::1            | link-local fe80::/10
            fec0::1            | deprecated site-local fec0::/10
            ff00::             | multicast ff00::/8
            ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | multicast ff00::/8
            ff02::1            | multicast ff00::/8
            """)
    void refused(String literal, String block) throws UnknownHostException {
        InetAddress address = address(literal);
        assertFalse(AddressPolicy.publicOnly().allows(address), literal + " is " + block);
        assertTrue(AddressPolicy.allowingPrivate().allows(address), "RELAY_ALLOW_PRIVATE_DESTINATIONS allows " + literal);
    }

    /** Public hosts, including the neighbours of the refused blocks and public IPv4 inside the embedding forms. */
    @ParameterizedTest(name = "{0} allowed")
    @ValueSource(strings = {
        "1.0.0.0", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
        "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
        "191.255.255.255", "192.0.1.0", "192.0.3.0", "192.88.98.255", "192.167.255.255", "192.169.0.0",
        "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0",
        "223.255.255.255",
        "::ffff:8.8.8.8", "64:ff9b::808:808", "64:ff9b::101:101", "2002:808:808::1",
        "2000::", "2001:200::", "2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450:4001::1",
        "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::"})
    void allowed(String literal) throws UnknownHostException {
        assertTrue(AddressPolicy.publicOnly().allows(address(literal)), literal);
    }

    /**
     * Java turns an IPv4-mapped literal into an {@code Inet4Address}; a resolver answering AAAA
     * records need not, so IPv6 literals are built as {@code Inet6Address} with their 16 bytes.
     */
    private static InetAddress address(String literal) throws UnknownHostException {
        InetAddress parsed = InetAddress.getByName(literal);
        if (literal.indexOf(':') < 0) {
            return parsed;
        }
        byte[] bytes = parsed.getAddress();
        if (bytes.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            bytes = mapped;
        }
        return Inet6Address.getByAddress(null, bytes, -1);
    }
}
