package io.streamhelper.relay.catalog.account;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The unit a client is counted as by the rate limit and the login throttle: an IPv4 address as
 * it is, an IPv6 address as the /64 it belongs to. A household, a phone or a rented server is
 * given at least a whole /64, so counting single IPv6 addresses would hand one attacker 2^64
 * fresh, clean addresses: past every per-address limit, and through the login throttle's door
 * for addresses with no failures. Log lines and the audit keep the full address.
 */
public final class AddressBlock {
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private AddressBlock() {
    }

    /** {@code 2001:db8:1:2::/64} for any address in that block; anything else unchanged. */
    public static String of(String address) {
        if (address == null || address.indexOf(':') < 0 || !IPV6_CHARS.matcher(address).matches()
                || !(Character.digit(address.charAt(0), 16) >= 0 || address.charAt(0) == ':')) {
            return address;
        }
        InetAddress parsed;
        try {
            // Hex digits, colons and dots only, starting with a hex digit or a colon: parsed as an
            // IPv6 literal, never looked up as a host name.
            parsed = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return address;
        }
        if (!(parsed instanceof Inet6Address)) {
            return parsed.getHostAddress(); // an IPv4-mapped address is its IPv4 address
        }
        byte[] b = parsed.getAddress();
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            block.append(Integer.toHexString(((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff))).append(':');
        }
        return block.append(":/64").toString();
    }
}
