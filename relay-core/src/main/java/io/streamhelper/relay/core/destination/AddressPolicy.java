package io.streamhelper.relay.core.destination;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses a destination may point at. By default only public ones: a user who could make
 * the relay publish to loopback, private, link-local or multicast addresses could reach services
 * inside the operator's network. It is checked when a destination is saved and again each time
 * the relay connects (the name may resolve elsewhere by then).
 */
public final class AddressPolicy {
    private static final AddressPolicy ANY = new AddressPolicy(true);
    private static final AddressPolicy PUBLIC_ONLY = new AddressPolicy(false);

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

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            // fc00::/7 unique local addresses; IPv4-mapped addresses are judged as the IPv4 address.
            if ((b[0] & 0xfe) == 0xfc) {
                return true;
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (java.net.UnknownHostException e) {
                    return true;
                }
            }
            return false;
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        // 100.64.0.0/10 carrier-grade NAT and 0.0.0.0/8 are not reachable public hosts either.
        return first == 0 || (first == 100 && second >= 64 && second < 128);
    }
}
