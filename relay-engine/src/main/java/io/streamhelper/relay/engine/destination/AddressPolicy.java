package io.streamhelper.relay.engine.destination;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Which addresses a destination may point at. By default only public ones: a user who could make
 * the relay publish to loopback, private, link-local, reserved or multicast addresses could reach
 * services inside the operator's network. It is checked when a destination is saved and again each
 * time the relay connects (the name may resolve elsewhere by then).
 *
 * <p>The list is the IANA special-purpose address registries (IPv4 and IPv6) plus multicast; see
 * {@link #isInternal}. An IPv6 address that carries an IPv4 address (IPv4-mapped, NAT64, 6to4) is
 * judged by the IPv4 address it carries, because that is the host a translator or tunnel delivers
 * the connection to.
 */
public final class AddressPolicy {
    private static final AddressPolicy ANY = new AddressPolicy(true);
    private static final AddressPolicy PUBLIC_ONLY = new AddressPolicy(false);

    /**
     * IPv4 blocks the IANA IPv4 special-purpose registry marks as not globally reachable, plus
     * multicast (224/4) and the deprecated 6to4 relay anycast block. 240.0.0.0/4 includes the
     * limited broadcast address 255.255.255.255.
     */
    private static final List<Cidr> INTERNAL_V4 = List.of(
            Cidr.of("0.0.0.0/8"),          // "this network"
            Cidr.of("10.0.0.0/8"),         // private
            Cidr.of("100.64.0.0/10"),      // shared address space (carrier-grade NAT)
            Cidr.of("127.0.0.0/8"),        // loopback
            Cidr.of("169.254.0.0/16"),     // link-local
            Cidr.of("172.16.0.0/12"),      // private
            Cidr.of("192.0.0.0/24"),       // IETF protocol assignments
            Cidr.of("192.0.2.0/24"),       // documentation (TEST-NET-1)
            Cidr.of("192.88.99.0/24"),     // deprecated 6to4 relay anycast
            Cidr.of("192.168.0.0/16"),     // private
            Cidr.of("198.18.0.0/15"),      // benchmarking
            Cidr.of("198.51.100.0/24"),    // documentation (TEST-NET-2)
            Cidr.of("203.0.113.0/24"),     // documentation (TEST-NET-3)
            Cidr.of("224.0.0.0/4"),        // multicast
            Cidr.of("240.0.0.0/4"));       // reserved, and 255.255.255.255 broadcast

    /** Global unicast: the only IPv6 space a public host lives in (everything else is reserved or local). */
    private static final Cidr GLOBAL_UNICAST_V6 = Cidr.of("2000::/3");

    /** Blocks inside 2000::/3 that the IANA IPv6 special-purpose registry lists. */
    private static final List<Cidr> INTERNAL_V6 = List.of(
            Cidr.of("2001::/23"),          // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
            Cidr.of("2001:db8::/32"),      // documentation
            Cidr.of("3fff::/20"));         // documentation

    /** IPv4-mapped: the IPv4 address is in the last 32 bits. */
    private static final Cidr MAPPED = Cidr.of("::ffff:0:0/96");
    /** NAT64 well-known prefix: a translator dials the IPv4 address in the last 32 bits. */
    private static final Cidr NAT64 = Cidr.of("64:ff9b::/96");
    /** 6to4: the IPv4 address of the tunnel end point is in bits 16..47. */
    private static final Cidr SIX_TO_FOUR = Cidr.of("2002::/16");

    private final boolean allowPrivate;

    private AddressPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** {@code RELAY_ALLOW_PRIVATE_DESTINATIONS=true}: tests and relays inside a private network. */
    public static AddressPolicy allowingPrivate() {
        return ANY;
    }

    public static AddressPolicy publicOnly() {
        return PUBLIC_ONLY;
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    public boolean allows(InetAddress address) {
        return allowPrivate || !isInternal(address);
    }

    /**
     * True for every address that is not a public unicast host. IPv6 outside 2000::/3 is refused
     * as a whole (loopback, unspecified, IPv4-compatible ::/96, the NAT64 local-use prefix
     * 64:ff9b:1::/48, discard-only 100::/64, unique local fc00::/7, link-local fe80::/10, site-local
     * fec0::/10, multicast ff00::/8), except the two forms whose IPv4 address is judged instead.
     */
    static boolean isInternal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return internalV4(b, 0);
        }
        if (!(address instanceof Inet6Address)) {
            return true;
        }
        if (MAPPED.contains(b) || NAT64.contains(b)) {
            return internalV4(b, 12);
        }
        if (SIX_TO_FOUR.contains(b)) {
            return internalV4(b, 2);
        }
        if (!GLOBAL_UNICAST_V6.contains(b)) {
            return true;
        }
        for (Cidr block : INTERNAL_V6) {
            if (block.contains(b)) {
                return true;
            }
        }
        return false;
    }

    private static boolean internalV4(byte[] bytes, int offset) {
        byte[] v4 = {bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]};
        for (Cidr block : INTERNAL_V4) {
            if (block.contains(v4)) {
                return true;
            }
        }
        return false;
    }

    /** An address block: a network address and a prefix length, compared bit by bit. */
    private record Cidr(byte[] network, int prefix) {
        static Cidr of(String cidr) {
            int slash = cidr.indexOf('/');
            byte[] network = parse(cidr.substring(0, slash));
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException(cidr);
            }
            return new Cidr(network, prefix);
        }

        /** Literal addresses only (no DNS), and ::ffff:a.b.c.d kept as 16 bytes. */
        private static byte[] parse(String literal) {
            if (literal.indexOf(':') < 0) {
                String[] parts = literal.split("\\.");
                byte[] out = new byte[4];
                for (int i = 0; i < 4; i++) {
                    out[i] = (byte) Integer.parseInt(parts[i]);
                }
                return out;
            }
            byte[] out = new byte[16];
            String[] halves = literal.split("::", -1);
            String[] head = halves[0].isEmpty() ? new String[0] : halves[0].split(":");
            String[] tail = halves.length < 2 || halves[1].isEmpty() ? new String[0] : halves[1].split(":");
            for (int i = 0; i < head.length; i++) {
                int group = Integer.parseInt(head[i], 16);
                out[2 * i] = (byte) (group >> 8);
                out[2 * i + 1] = (byte) group;
            }
            for (int i = 0; i < tail.length; i++) {
                int group = Integer.parseInt(tail[i], 16);
                int at = 16 - 2 * (tail.length - i);
                out[at] = (byte) (group >> 8);
                out[at + 1] = (byte) group;
            }
            return out;
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
